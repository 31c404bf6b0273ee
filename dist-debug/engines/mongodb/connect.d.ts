import { MongoClient } from 'mongodb';
/**
 * Opening a client and learning what kind of server is on the other end.
 */
/** What the engine needs to know about the server it talks to. */
export interface ServerInfo {
    version: string;
    topology: 'standalone' | 'replicaSet' | 'sharded';
    /** FerretDB's own version when the server is FerretDB (it reports a MongoDB version too). */
    ferretdb?: string;
    maxBsonObjectSize: number;
    maxMessageSizeBytes: number;
    maxWriteBatchSize: number;
}
/** A connected client plus facts about the server. */
export interface Connection {
    client: MongoClient;
    server: ServerInfo;
    /** The database named in the URL path, if any. */
    urlDatabase?: string;
    close(): Promise<void>;
}
/** The database named in a MongoDB URL's path, if any. */
export declare function databaseFromUrl(url: string): string | undefined;
/**
 * Connects and probes the server. Every failure comes back as a one-line
 * StowageError (unreachable, authentication, bad URL) with credentials
 * redacted.
 */
export declare function connect(url: string, options: {
    poolSize: number;
    appName?: string;
}): Promise<Connection>;
/** Asks the server what it is: version, topology, size limits, FerretDB or not. */
export declare function probeServer(client: MongoClient): Promise<ServerInfo>;
