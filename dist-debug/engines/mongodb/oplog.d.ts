import type { Readable } from 'node:stream';
import { type Document, type MongoClient, type Timestamp } from 'mongodb';
import type { EngineStreamWriter } from '../engine.js';
/** The timestamp of the newest oplog entry. */
export declare function oplogHead(client: MongoClient): Promise<Timestamp>;
/**
 * Copies the oplog entries after `start` up to now into `writer`, keeping
 * those that touch the backed-up databases (plus transactions, which carry
 * their operations nested under `admin.$cmd`). Fails if the oplog has rolled
 * past `start`: entries would be missing and the result would not be one
 * point in time.
 */
export declare function captureOplog(client: MongoClient, start: Timestamp, databases: string[], writer: EngineStreamWriter, signal?: AbortSignal): Promise<{
    entries: number;
    end: Timestamp;
}>;
/** Maps a namespace to its restore target, or null to skip it. */
export type NamespaceMapper = (namespace: string) => string | null;
/**
 * Rewrites one oplog entry for the restore target: drops collection UUIDs
 * (`ui`; the restored collections have new ones), applies renames and
 * filters, or returns null when the entry must not be applied.
 */
export declare function mapOplogEntry(entry: Document, mapNamespace: NamespaceMapper): Document | null;
/**
 * Applies the captured oplog entries, in order, one `applyOps` each (as
 * mongorestore does, so one failure names one entry). Entries are decoded
 * with exact BSON types; applyOps takes them as a command argument, not as
 * raw bytes.
 */
export declare function replayOplog(client: MongoClient, stream: Readable, streamName: string, mapNamespace: NamespaceMapper, signal?: AbortSignal): Promise<{
    applied: number;
    skipped: number;
}>;
