import { createRequire } from 'node:module';
import { BSON, type Document, MongoBulkWriteError, type MongoClient } from 'mongodb';
import { StowageError } from '../../errors.js';
import type { InsertBatch } from './insert-batch.js';
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
 * An {@link InsertBatch} already holds the finished section. The driver
 * would copy a sequence's pieces into a section of its own (and then copy
 * that twice more into the message); a sequence whose `toBin()` returns the
 * batch's section saves that first copy. Whether this driver really takes a
 * sequence's bytes from `toBin()` is checked once, on a tiny message, before
 * it is relied on; if not, the batch goes in through `push` like any other.
 *
 * If a future driver drops that class, {@link RawInserter} falls back to
 * decoding with every type-preserving option on and says so through
 * {@link RawInserter.exact}, so the loss can be reported instead of hidden.
 */

interface DocumentSequenceLike {
  push(document: Document, buffer: Uint8Array): number;
  toBin?(): Uint8Array;
}
type DocumentSequenceClass = new (field: string) => DocumentSequenceLike;
type SectionSequenceClass = new (section: Uint8Array) => DocumentSequenceLike;

interface DriverCommands {
  DocumentSequence?: unknown;
  OpMsgRequest?: new (db: string, command: Document, options: Document) => { toBin(): Uint8Array[] };
}

let cachedCommands: DriverCommands | null | undefined;
let cachedSequenceClass: DocumentSequenceClass | null | undefined;
let cachedSectionClass: SectionSequenceClass | null | undefined;

function driverCommands(): DriverCommands | null {
  if (cachedCommands !== undefined) return cachedCommands;
  try {
    // Resolved next to the driver the rest of the code uses, so `instanceof` checks inside it hold.
    const require = createRequire(import.meta.url);
    cachedCommands = require('mongodb/lib/cmap/commands.js') as DriverCommands;
  } catch {
    cachedCommands = null;
  }
  return cachedCommands;
}

/** The driver's DocumentSequence class, or null when this driver version does not have it. */
export function documentSequenceClass(): DocumentSequenceClass | null {
  if (cachedSequenceClass !== undefined) return cachedSequenceClass;
  const candidate = driverCommands()?.DocumentSequence as DocumentSequenceClass | undefined;
  cachedSequenceClass =
    typeof candidate === 'function' && typeof candidate.prototype?.push === 'function' ? candidate : null;
  return cachedSequenceClass;
}

/**
 * A DocumentSequence whose bytes are a finished section, or null when this
 * driver does not build its messages from `toBin()` (checked on a one-document
 * message the first time).
 */
export function sectionSequenceClass(): SectionSequenceClass | null {
  if (cachedSectionClass !== undefined) return cachedSectionClass;
  cachedSectionClass = null;
  const Base = documentSequenceClass();
  const OpMsgRequest = driverCommands()?.OpMsgRequest;
  if (!Base || typeof Base.prototype.toBin !== 'function' || typeof OpMsgRequest !== 'function') return null;
  class SectionSequence extends Base {
    constructor(private readonly section: Uint8Array) {
      super('documents');
    }
    override toBin(): Uint8Array {
      return this.section;
    }
  }
  try {
    // `documents` section holding one empty document, `{}`.
    const probe = Buffer.from([1, 19, 0, 0, 0, ...Buffer.from('documents\0', 'latin1'), 5, 0, 0, 0, 0]);
    const message = Buffer.concat(
      new OpMsgRequest('probe', { insert: 'probe', documents: new SectionSequence(probe) }, {}).toBin(),
    );
    if (message.subarray(message.length - probe.length).equals(probe)) cachedSectionClass = SectionSequence;
  } catch {
    // Leave it null: batches then go through `push`.
  }
  return cachedSectionClass;
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
   * Inserts one batch: separate documents, or an {@link InsertBatch}.
   * Per-document failures (duplicate key, validation) come back in
   * `writeErrors`, indexed by position in the batch; anything that fails the
   * whole command throws.
   */
  async insert(documents: Uint8Array[] | InsertBatch): Promise<InsertResult> {
    const count = Array.isArray(documents) ? documents.length : documents.count;
    if (count === 0) return { inserted: 0, writeErrors: [] };
    if (!this.sequenceClass) {
      return this.insertDecoded(
        Array.isArray(documents) ? documents : splitConcatenated(documents.documents),
      );
    }
    const result = await this.insertRaw(this.sequenceOf(documents, this.sequenceClass));
    // The server accounts for every document it was sent: inserted or refused
    // (an ordered insert stops at its first refusal). Anything else means the
    // bytes on the wire were not the batch, and must not pass as a restore.
    const accounted = result.inserted + result.writeErrors.length;
    if (this.options.ordered ? accounted > count : accounted !== count) {
      throw new StowageError(
        'mongo-insert-mismatch',
        `the server accounted for ${accounted} of ${count} documents sent to ${this.db}.${this.collection}`,
        'this MongoDB driver version does not send raw batches as expected; install the driver version Stowage was tested with',
      );
    }
    return result;
  }

  private sequenceOf(documents: Uint8Array[] | InsertBatch, Sequence: DocumentSequenceClass) {
    let pieces: Uint8Array[];
    if (Array.isArray(documents)) {
      pieces = documents;
    } else {
      const Section = sectionSequenceClass();
      if (Section) return new Section(documents.section());
      pieces = [documents.documents];
    }
    const sequence = new Sequence('documents');
    // The first argument is only kept for command monitoring; the bytes are what
    // is sent. A document sequence section is nothing but BSON documents back to
    // back, so a run of several documents can go in as one piece.
    for (const piece of pieces) sequence.push({}, piece);
    return sequence;
  }

  private async insertRaw(sequence: DocumentSequenceLike): Promise<InsertResult> {
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
