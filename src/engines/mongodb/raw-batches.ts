import {
  type ClientSession,
  type Document,
  type FindCursor,
  Long,
  type MongoClient,
  ReadPreference,
} from 'mongodb';

/**
 * Reading a collection as batches of raw BSON documents.
 *
 * The driver's `raw: true` cursor hands out each document as bytes, but on
 * the way it builds a lazily parsed document object per document (with an
 * array per field) and throws it away again. For a dump of millions of
 * documents that is the largest cost left after the network, and the
 * garbage, surviving into the old generation while batches wait on
 * backpressure, grows the heap with the size of the dump. Running `find` and
 * `getMore` as commands with `fieldsAsRaw` on the batch fields yields plain
 * byte slices of the reply instead: no per-document objects beyond the slice,
 * and memory that stays flat however large the collection.
 *
 * The command path needs every `getMore` to reach the server that holds the
 * cursor. With a primary read preference on a standalone or replica set that
 * is always the case; elsewhere (mongos, secondary reads) the driver's
 * cursor, which pins its server, is used instead.
 */

/** What to read. */
export interface BatchQuery {
  db: string;
  collection: string;
  filter: Document;
  batchSize: number;
  /**
   * Bytes one batch should hold. When given, each later batch is sized from
   * the documents seen so far (on the command path), so a collection whose
   * size the server did not report still reads in batches of about this size
   * rather than whatever `batchSize` documents happen to weigh.
   */
  targetBytes?: number;
  /** Read in natural (storage) order. */
  natural: boolean;
}

/** A source of raw document batches. `next` resolves to null when the collection is exhausted. */
export interface BatchReader {
  next(): Promise<Uint8Array[] | null>;
  close(): Promise<void>;
}

/** Picks the fastest reader that is correct for this client's topology and read preference. */
export function openBatchReader(
  client: MongoClient,
  query: BatchQuery,
  topology: 'standalone' | 'replicaSet' | 'sharded',
): BatchReader {
  const primary = client.readPreference.mode === ReadPreference.PRIMARY;
  return primary && topology !== 'sharded'
    ? new CommandBatchReader(client, query)
    : new CursorBatchReader(client, query);
}

/** Command options that give a `find`/`getMore` reply's batches as raw BSON slices, one per document. */
export const RAW_BATCHES = {
  promoteLongs: false,
  fieldsAsRaw: { firstBatch: true, nextBatch: true },
} as const;

class CommandBatchReader implements BatchReader {
  private session: ClientSession | undefined;
  private cursorId: Long | undefined;
  private done = false;
  private batchSize: number;
  private seenDocuments = 0;
  private seenBytes = 0;

  constructor(
    private readonly client: MongoClient,
    private readonly query: BatchQuery,
  ) {
    this.batchSize = query.batchSize;
  }

  async next(): Promise<Uint8Array[] | null> {
    const db = this.client.db(this.query.db);
    const options = { ...RAW_BATCHES, readPreference: ReadPreference.primary };
    // Loops only over empty batches of a live cursor, which servers may return.
    while (!this.done) {
      let batch: unknown;
      let id: unknown;
      if (!this.session) {
        // One explicit session: a getMore must come from the session that opened the cursor.
        this.session = this.client.startSession({ causalConsistency: false });
        const command: Document = {
          find: this.query.collection,
          filter: this.query.filter,
          batchSize: this.query.batchSize,
        };
        if (this.query.natural) command.hint = { $natural: 1 };
        const reply = await db.command(command, { ...options, session: this.session });
        batch = reply.cursor?.firstBatch;
        id = reply.cursor?.id;
      } else if (this.cursorId) {
        const reply = await db.command(
          { getMore: this.cursorId, collection: this.query.collection, batchSize: this.batchSize },
          { ...options, session: this.session },
        );
        batch = reply.cursor?.nextBatch;
        id = reply.cursor?.id;
      } else {
        break;
      }
      const cursorId = id instanceof Long ? id : Long.fromValue((id ?? 0) as number);
      this.cursorId = cursorId.isZero() ? undefined : cursorId;
      if (!this.cursorId) this.done = true;
      const docs = (batch ?? []) as Uint8Array[];
      if (docs.length > 0) {
        this.resize(docs);
        return docs;
      }
    }
    this.done = true;
    return null;
  }

  /** Sizes the next getMore from the average document seen so far (see {@link BatchQuery.targetBytes}). */
  private resize(docs: Uint8Array[]): void {
    const target = this.query.targetBytes;
    if (!target) return;
    this.seenDocuments += docs.length;
    for (const d of docs) this.seenBytes += d.byteLength;
    const average = Math.max(16, this.seenBytes / this.seenDocuments);
    this.batchSize = Math.max(16, Math.min(100_000, Math.floor(target / average)));
  }

  async close(): Promise<void> {
    const session = this.session;
    const id = this.cursorId;
    this.done = true;
    this.cursorId = undefined;
    if (!session) return;
    try {
      if (id) {
        await this.client
          .db(this.query.db)
          .command({ killCursors: this.query.collection, cursors: [id] }, { session })
          .catch(() => {});
      }
    } finally {
      await session.endSession().catch(() => {});
    }
  }
}

class CursorBatchReader implements BatchReader {
  private readonly cursor: FindCursor<Uint8Array>;

  constructor(client: MongoClient, query: BatchQuery) {
    this.cursor = client
      .db(query.db)
      .collection(query.collection)
      .find(query.filter, {
        raw: true,
        batchSize: query.batchSize,
        ...(query.natural ? { hint: { $natural: 1 } } : {}),
      }) as unknown as FindCursor<Uint8Array>;
  }

  async next(): Promise<Uint8Array[] | null> {
    if (!(await this.cursor.hasNext())) return null;
    return this.cursor.readBufferedDocuments();
  }

  async close(): Promise<void> {
    await this.cursor.close().catch(() => {});
  }
}
