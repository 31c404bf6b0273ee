import type { ByteSink } from '../archive/byte-sink.js';
/**
 * Writes an archive to `PATH.partial` (mode 0600), then fsyncs and renames it to
 * `PATH` on commit, and fsyncs the folder so the rename survives a crash. A crash
 * or abort leaves at most a `.partial` file, never something that looks finished.
 *
 * With `exclusive`, the name is first claimed by creating `PATH.lock` (O_EXCL),
 * removed again on commit or abort: two backups that generate the same name in
 * the same second would otherwise both write into one `.partial` and publish a
 * mix of the two. The claim is a file of its own, not an exclusive open of the
 * `.partial`, so that a `.partial` left by a crash does not block the name.
 */
export declare class LocalFileSink implements ByteSink {
    private readonly handle;
    private readonly finalPath;
    private readonly partialPath;
    private readonly lockPath;
    /** write() resolves once the bytes are in the file or copied into the gathering buffer. */
    readonly releasesChunks = true;
    private gathered;
    private filled;
    private unsynced;
    private syncing;
    private syncError;
    private constructor();
    get location(): string;
    static create(path: string, options?: {
        overwrite?: boolean;
        exclusive?: boolean;
    }): Promise<LocalFileSink>;
    private static open;
    write(chunk: Uint8Array): Promise<void>;
    private flush;
    private syncInBackground;
    private writeOut;
    commit(): Promise<void>;
    abort(): Promise<void>;
    private release;
}
/** Turns file-system errors into one-line messages naming what to do. */
export declare function fsError(err: unknown, path: string): Error;
