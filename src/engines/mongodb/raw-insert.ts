import { createRequire } from 'node:module';
import { BSON, type Document, MongoBulkWriteError, type MongoClient } from 'mongodb';
import { EXACT_BSON_OPTIONS } from './schema.js';

/**
 * Inserting documents that are already BSON, without decoding them.
 *
 * The driver's public insert API takes JavaScript objects and serializes
 * them, and a decode/encode round trip through js-bson is not exact for every
 * type: DBPointer comes back as a DBRef document, Undefined as Null, dates
 * beyond JavaScript's ±8.64e15 ms as 0, `{$ref, $id, …}` documents may be
 * reordered. The
 * wire protocol does not need objects, though: an OP_MSG `insert` carries its
 * documents in a "document sequence" section of plain concatenated BSON. The
 * driver builds such sections itself with its `DocumentSequence` class
 * (internal but stable since driver 6.x); handing it our bytes sends them to
 * the server exactly as they were read at backup time.
 *
 * If a future driver drops that class, {@link RawInserter} falls back to
 * decoding with every type-preserving option on and says so through
 * {@link RawInserter.exact}, so the loss can be reported instead of hidden.
 */

interface DocumentSequenceLike {
  push(document: Document, buffer: Uint8Array): number;
}
type DocumentSequenceClass = new (field: string) => DocumentSequenceLike;

let cachedSequenceClass: DocumentSequenceClass | null | undefined;

/** The driver's DocumentSequence class, or null when this driver version does not have it. */
export function documentSequenceClass(): DocumentSequenceClass | null {
  if (cachedSequenceClass !== undefined) return cachedSequenceClass;
  try {
    // Resolved next to the driver the rest of the code uses, so `instanceof` checks inside it hold.
    const require = createRequire(import.meta.url);
    const mod = require('mongodb/lib/cmap/commands.js') as { DocumentSequence?: unknown };
    const candidate = mod.DocumentSequence as DocumentSequenceClass | undefined;
    cachedSequenceClass =
      typeof candidate === 'function' && typeof candidate.prototype?.push === 'function' ? candidate : null;
  } catch {
    cachedSequenceClass = null;
  }
  return cachedSequenceClass;
}

/** Cuts a buffer of back-to-back BSON documents at their length prefixes. */
function splitConcatenated(bytes: Uint8Array): Uint8Array[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  for (let pos = 0; pos < view.length; ) {
    const length = view.readInt32LE(pos);
    out.push(view.subarray(pos, pos + length));
    pos += length;
  }
  return out;
}

/** One document the server refused. `index` is its position in the batch. */
export interface InsertWriteError {
  index: number;
  code: number;
  message: string;
}

export interface InsertResult {
  inserted: number;
  writeErrors: InsertWriteError[];
}

/** Inserts batches of raw BSON documents into one collection. */
export class RawInserter {
  private readonly sequenceClass: DocumentSequenceClass | null;

  constructor(
    private readonly client: MongoClient,
    readonly db: string,
    readonly collection: string,
    private readonly options: {
      ordered: boolean;
      bypassDocumentValidation?: boolean;
      /** Tests only: take the decode/encode path even when the driver could send raw bytes. */
      decoded?: boolean;
    },
  ) {
    this.sequenceClass = options.decoded ? null : documentSequenceClass();
  }

  /** False when documents go through a decode/encode round trip (driver without DocumentSequence). */
  get exact(): boolean {
    return this.sequenceClass !== null;
  }

  /**
   * Inserts one batch: separate documents, or `count` documents given as
   * runs of back-to-back documents. Per-document failures (duplicate key,
   * validation) come back in `writeErrors`, indexed by position in the batch;
   * anything that fails the whole command throws.
   */
  async insert(documents: Uint8Array[] | { runs: Uint8Array[]; count: number }): Promise<InsertResult> {
    const count = Array.isArray(documents) ? documents.length : documents.count;
    if (count === 0) return { inserted: 0, writeErrors: [] };
    const pieces = Array.isArray(documents) ? documents : documents.runs;
    if (this.sequenceClass) return this.insertRaw(pieces, this.sequenceClass);
    return this.insertDecoded(Array.isArray(documents) ? documents : pieces.flatMap(splitConcatenated));
  }

  private async insertRaw(pieces: Uint8Array[], Sequence: DocumentSequenceClass): Promise<InsertResult> {
    const sequence = new Sequence('documents');
    // The first argument is only kept for command monitoring; the bytes are what
    // is sent. A document sequence section is nothing but BSON documents back to
    // back, so a run of several documents can go in as one piece.
    for (const piece of pieces) sequence.push({}, piece);
    const command: Document = { insert: this.collection, documents: sequence, ordered: this.options.ordered };
    if (this.options.bypassDocumentValidation) command.bypassDocumentValidation = true;
    const reply = await this.client.db(this.db).command(command);
    return {
      inserted: Number(reply.n ?? 0),
      writeErrors: ((reply.writeErrors ?? []) as Document[]).map((e) => ({
        index: Number(e.index),
        code: Number(e.code),
        message: String(e.errmsg ?? ''),
      })),
    };
  }

  private async insertDecoded(documents: Uint8Array[]): Promise<InsertResult> {
    const decoded = documents.map((d) => BSON.deserialize(d, EXACT_BSON_OPTIONS));
    try {
      const result = await this.client
        .db(this.db)
        .collection(this.collection)
        .insertMany(decoded, {
          ordered: this.options.ordered,
          // Never add an _id the backup did not have, never drop `undefined` values.
          forceServerObjectId: true,
          ignoreUndefined: false,
          checkKeys: false,
          ...(this.options.bypassDocumentValidation ? { bypassDocumentValidation: true } : {}),
        });
      return { inserted: result.insertedCount, writeErrors: [] };
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      return {
        inserted: error.result.insertedCount,
        writeErrors: errors.map((e) => ({ index: e.index, code: Number(e.code), message: e.errmsg ?? '' })),
      };
    }
  }
}
