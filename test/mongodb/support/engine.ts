import type { MongoClient } from 'mongodb';
import type { TestContext } from 'vitest';
import type { EngineBackupResult, EngineRestoreResult, StreamSummary } from '../../../src/engines/engine.js';
import { mongodbEngine } from '../../../src/engines/mongodb/engine.js';
import type { MongoBackupOptions, MongoRestoreOptions } from '../../../src/engines/mongodb/options.js';
import { RawInserter } from '../../../src/engines/mongodb/raw-insert.js';
import { OPLOG_STREAM } from '../../../src/engines/mongodb/stream-names.js';
import type { ProgressEvent } from '../../../src/progress.js';
import { MemoryStreams } from '../../support/memory-streams.js';
import {
  isFerretDB,
  mongoCapabilitiesNow,
  skipOnFerretDB,
  skipUnlessMongoSupports,
} from '../../support/mongo.js';
import type { Capability } from './bson-cases.js';

/** Helpers shared by the MongoDB engine tests: engine calls through memory streams, raw reads and writes. */

export interface MemoryBackup {
  streams: MemoryStreams;
  result: EngineBackupResult;
  events: ProgressEvent[];
}

export async function backupToMemory(
  url: string,
  options: MongoBackupOptions = {},
  jobs = 2,
): Promise<MemoryBackup> {
  const streams = new MemoryStreams();
  const events: ProgressEvent[] = [];
  const result = await mongodbEngine.backup({ url, streams, jobs, options, progress: (e) => events.push(e) });
  return { streams, result, events };
}

/**
 * The collection streams of a backup: without the oplog stream, which a
 * server with an oplog adds to every backup.
 */
export function collectionStreams(backup: MemoryBackup): StreamSummary[] {
  return backup.streams.list().filter((s) => s.name !== OPLOG_STREAM);
}

export async function restoreFromMemory(
  backup: { streams: MemoryStreams; result: { schema: unknown } },
  url: string,
  options: MongoRestoreOptions = {},
  jobs = 2,
): Promise<EngineRestoreResult & { events: ProgressEvent[] }> {
  const events: ProgressEvent[] = [];
  const result = await mongodbEngine.restore({
    url,
    streams: backup.streams.reader(),
    schema: backup.result.schema,
    jobs,
    options,
    progress: (e) => events.push(e),
  });
  return { ...result, events };
}

/** Writes exact BSON bytes into a collection (through the engine's raw insert path). */
export async function insertRaw(
  client: MongoClient,
  db: string,
  collection: string,
  docs: Buffer[],
): Promise<void> {
  const result = await new RawInserter(client, db, collection, { ordered: true }).insert(docs);
  if (result.writeErrors.length) throw new Error(`insertRaw: ${JSON.stringify(result.writeErrors)}`);
}

/** Every document of a collection as raw bytes, in `_id` order. */
export async function readRaw(client: MongoClient, db: string, collection: string): Promise<Buffer[]> {
  const docs = await client
    .db(db)
    .collection(collection)
    .find({}, { raw: true, sort: { _id: 1 } })
    .toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array));
}

/** All bytes of one memory stream. */
export function streamBytes(streams: MemoryStreams, name: string): Buffer {
  const entry = streams.data.get(name);
  if (!entry) throw new Error(`no stream ${name}; have ${[...streams.data.keys()].join(', ')}`);
  return Buffer.concat(entry.chunks);
}

/** Known FerretDB refusals of types the capability probe cannot write itself. */
const FERRETDB_TYPE_GAPS: Record<'dbPointer' | 'undefined', string> = {
  dbPointer:
    'FerretDB drops the connection on BSON DBPointer ("unsupported tag DBPointer: wirebson: invalid input")',
  undefined:
    'FerretDB drops the connection on BSON Undefined ("unsupported tag Undefined: wirebson: invalid input")',
};

/** True when the server can store values needing `capability`. */
export function serverSupports(capability: Capability): boolean {
  if (capability === 'dbPointer' || capability === 'undefined') return !isFerretDB();
  return mongoCapabilitiesNow().supports[capability];
}

/** Skips the test (printing why) when the server lacks `capability`. */
export function requireCapability(ctx: TestContext, capability: Capability, what?: string): void {
  if (capability === 'dbPointer' || capability === 'undefined') {
    skipOnFerretDB(ctx, FERRETDB_TYPE_GAPS[capability]);
    return;
  }
  skipUnlessMongoSupports(ctx, capability, what);
}
