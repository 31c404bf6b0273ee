import type { Document, MongoClient } from 'mongodb';
import type { EngineStreamWriter } from '../engine.js';
import { openBatchReader } from './raw-batches.js';
import { endStream, throwIfAborted, writeWithBackpressure } from './stream-io.js';

/**
 * Reads one collection (or one _id range of it) as raw BSON and writes the
 * documents' bytes to one stream, untouched. Each document read with
 * `raw: true` is the exact BSON the server sent, length prefix included, so
 * concatenating them is already the stream format.
 */

/** One unit of dump work: a whole collection or a slice of it. */
export interface DumpTask {
  db: string;
  /** The collection to read (for time series, its `system.buckets.*`). */
  collection: string;
  stream: string;
  filter: Document;
  /** Read in natural (storage) order: the cheapest full scan, as mongodump does. */
  natural: boolean;
  /** Documents per batch, sized so one batch stays near a few MiB. */
  batchSize: number;
  /** Bytes per batch to aim at: later batches are sized from the documents seen (see BatchQuery). */
  targetBytes?: number;
}

export interface DumpResult {
  documents: number;
  bytes: number;
}

/**
 * Streams `task` into `writer` and ends it. While one batch is being written
 * (and waits on backpressure), the next is already being fetched from the
 * server, so the network and the archive work at the same time; at most two
 * batches (plus the one being copied) are held in memory.
 */
export async function dumpCollection(
  client: MongoClient,
  task: DumpTask,
  writer: EngineStreamWriter,
  hooks: {
    onBatch?: (documents: number, bytes: number) => void;
    signal?: AbortSignal;
    topology?: 'standalone' | 'replicaSet' | 'sharded';
  } = {},
): Promise<DumpResult> {
  const reader = openBatchReader(
    client,
    {
      db: task.db,
      collection: task.collection,
      filter: task.filter,
      batchSize: task.batchSize,
      ...(task.targetBytes ? { targetBytes: task.targetBytes } : {}),
      natural: task.natural,
    },
    hooks.topology ?? 'standalone',
  );
  let documents = 0;
  let bytes = 0;
  const onAbort = () => {
    reader.close().catch(() => {});
  };
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    throwIfAborted(hooks.signal, 'backup');
    let batch = await reader.next();
    while (batch) {
      // Ask for the next batch now; it travels while this one is written.
      const nextBatch = reader.next();
      // A rejection is handled when awaited below; this stops Node flagging it in between.
      nextBatch.catch(() => {});
      // One copy into a fresh buffer: the reply (and its slices) can then be collected at once.
      const chunk = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
      documents += batch.length;
      bytes += chunk.byteLength;
      writer.itemCount = documents;
      await writeWithBackpressure(writer, chunk, hooks.signal);
      hooks.onBatch?.(documents, bytes);
      throwIfAborted(hooks.signal, 'backup');
      // A bench sample ends here, at a batch boundary: whole documents only (see EngineStreamWriter.enough).
      if (writer.enough) break;
      batch = await nextBatch;
    }
    await endStream(writer);
    return { documents, bytes };
  } catch (error) {
    await reader.close();
    throwIfAborted(hooks.signal, 'backup');
    throw error;
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    await reader.close();
  }
}

/**
 * Writes `count` documents already read (raw BSON, one after another: a
 * whole collection the catalog read, see introspect.ts) to `writer` and ends it.
 */
export async function writeHeldDocuments(
  writer: EngineStreamWriter,
  held: { documents: Buffer; count: number },
  hooks: { onBatch?: (documents: number, bytes: number) => void; signal?: AbortSignal } = {},
): Promise<DumpResult> {
  throwIfAborted(hooks.signal, 'backup');
  // As dumpCollection: an empty collection writes no batch.
  if (held.count > 0) {
    writer.itemCount = held.count;
    await writeWithBackpressure(writer, held.documents, hooks.signal);
    hooks.onBatch?.(held.count, held.documents.byteLength);
  }
  await endStream(writer);
  return { documents: held.count, bytes: held.documents.byteLength };
}
