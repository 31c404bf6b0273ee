/**
 * Archive names: `<database>-<YYYYMMDD-HHMMSS>[-N][-manual].stow`, in UTC, so a
 * plain sort of a folder or bucket listing is chronological per database. `N`
 * (2, 3, …) numbers further backups of the database within the same second.
 */
export declare function archiveName(database: string, at: Date, kind: 'scheduled' | 'manual', sequence?: number): string;
/** Reads the database, time and kind back out of an archive name; undefined for foreign files. */
export declare function parseArchiveName(name: string): {
    database: string;
    at: Date;
    kind: 'scheduled' | 'manual';
} | undefined;
/**
 * Database names may hold anything; file names may not. Also the key under
 * which the catalog groups a database's archives and run records.
 */
export declare function safeName(database: string): string;
/** The database a connection URL names, used to name the archive before the engine has connected. */
export declare function databaseFromUrl(url: string): string;
