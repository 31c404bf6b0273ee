import { StowageError } from '../../errors.js';
/** Oldest server the catalog queries are written for (pg_partition_ancestors, attgenerated). */
export const MIN_SERVER_VERSION = 120000;
export async function readServerInfo(session) {
    const { rows } = await session.query(`SELECT pg_catalog.version() AS full, pg_catalog.current_setting('server_version') AS version,
       pg_catalog.current_setting('server_version_num') AS num, pg_catalog.current_database() AS db,
       pg_catalog.current_setting('server_encoding') AS enc, pg_catalog.current_setting('is_superuser') AS su`);
    const r = rows[0];
    if (!r)
        throw new StowageError('pg-error', 'the server did not answer a version query');
    const info = {
        version: r.version,
        versionNum: Number(r.num),
        database: r.db,
        encoding: r.enc,
        pglite: /PGlite|emscripten|wasm32/i.test(r.full),
        superuser: r.su === 'on',
    };
    if (info.versionNum < MIN_SERVER_VERSION) {
        throw new StowageError('pg-version', `PostgreSQL ${info.version} at ${session.target.server} is too old: stowage needs 12 or newer`, 'upgrade the server, or use the dump tools that match it');
    }
    return info;
}
//# sourceMappingURL=server-info.js.map