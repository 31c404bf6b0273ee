import type { Document, FindCursor, MongoClient } from 'mongodb';
import type { EngineStreamWriter } from '../engine.js';
import { AbortedError, endStream, throwIfAborted, writeAllWithBackpressure } from './stream-io.js';

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
}

export interface DumpResult {
  documents: number;
  bytes: number;
}

/**
 * Streams `task` into `writer` and ends it. While one batch is being written
 * (and waits on backpressure), the next is already being fetched from the
 * server, so the network and the archive work at the same time; at most two
 * batches are held in memory.
 */
export async function dumpCollection(
  client: MongoClient,
  task: DumpTask,
  writer: EngineStreamWriter,
  hooks: { onBatch?: (documents: number, bytes: number) => void; signal?: AbortSignal } = {},
): Promise<DumpResult> {
  const cursor: FindCursor<Uint8Array> = client
    .db(task.db)
    .collection(task.collection)
    .find(task.filter, {
      raw: true,
      batchSize: task.batchSize,
      ...(task.natural ? { hint: { $natural: 1 } } : {}),
    }) as unknown as FindCursor<Uint8Array>;

  let documents = 0;
  let bytes = 0;
  const onAbort = () => {
    cursor.close().catch(() => {});
  };
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    throwIfAborted(hooks.signal, 'backup');
    let more = await cursor.hasNext();
    while (more) {
      const docs = cursor.readBufferedDocuments();
      // Ask for the next batch now; it travels while this one is written.
      const nextBatch = cursor.hasNext();
      // A rejection is handled when awaited below; this stops Node flagging it in between.
      nextBatch.catch(() => {});
      documents += docs.length;
      for (const doc of docs) bytes += doc.byteLength;
      writer.itemCount = documents;
      await writeAllWithBackpressure(writer, docs, hooks.signal);
      hooks.onBatch?.(documents, bytes);
      more = await nextBatch;
    }
    await endStream(writer);
    return { documents, bytes };
  } catch (error) {
    await cursor.close().catch(() => {});
    if (hooks.signal?.aborted) throw new AbortedError('backup');
    throw error;
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}
