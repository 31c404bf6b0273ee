import type { PgSession } from './connect.js';
/** What the engine needs to know about the server it talks to. */
export interface ServerInfo {
    /** `server_version`, e.g. `15.6 (Debian 15.6-0+deb12u1)`. */
    version: string;
    /** `server_version_num`, e.g. 150006. */
    versionNum: number;
    database: string;
    /** Server encoding name, e.g. UTF8. */
    encoding: string;
    /**
     * PGlite (PostgreSQL compiled to WebAssembly, served through pglite-socket):
     * one backend shared by every connection, and no `COPY FROM STDIN`.
     */
    pglite: boolean;
    superuser: boolean;
}
/** Oldest server the catalog queries are written for (pg_partition_ancestors, attgenerated). */
export declare const MIN_SERVER_VERSION = 120000;
export declare function readServerInfo(session: PgSession): Promise<ServerInfo>;
