import type { Readable } from 'node:stream';
import { StowageError } from '../../errors.js';
import { Semaphore } from '../kit/semaphore.js';
import type { BatchPool } from './batch-pool.js';
import { splitBsonRuns } from './bson-splitter.js';
import type { InsertBatch } from './insert-batch.js';
import { MongoCodes } from './mongo-errors.js';
import type { InsertWriteError, RawInserter } from './raw-insert.js';
import { throwIfAborted } from './stream-io.js';

/**
 * Loads one archive stream into one collection: split the raw BSON stream into
 * documents, copy them into batches taken from the restore's shared
 * {@link BatchPool}, and keep up to `workers` insert commands in flight.
 * Documents the server refuses are counted by reason and a few messages
 * kept; they are never dropped without a trace.
 */

export interface LoadOptions {
  streamName: string;
  namespace: string;
  /**
   * Where batches come from: its batch size bounds one batch in bytes (a
   * single larger document still goes alone), its budget bounds all batches
   * of the restore together.
   */
  batches: BatchPool;
  /** Upper bound of one batch in documents (the server's maxWriteBatchSize). */
  batchDocuments: number;
  /** The server's maxBsonObjectSize: larger documents cannot be inserted at all. */
  maxDocumentBytes: number;
  /** Insert commands in flight at once for this stream. */
  workers: number;
  /** A limit shared with other streams (e.g. per target database), taken after the stream's own. */
  shared?: Semaphore;
  stopOnError: boolean;
  onProgress?: (documents: number, bytes: number) => void;
  signal?: AbortSignal;
}

/** What happened to the documents of one stream. */
export interface LoadReport {
  /** Documents read from the stream. */
  read: number;
  inserted: number;
  bytes: number;
  duplicateKeys: number;
  validationFailures: number;
  otherFailures: number;
  /** The first few server messages, for the report. */
  samples: string[];
}

/** A document the server refused while `stopOnError` is set. */
export class InsertRejectedError extends StowageError {
  constructor(namespace: string, error: InsertWriteError) {
    super(
      'mongo-insert-rejected',
      `a document was rejected in ${namespace}: ${error.message} (code ${error.code})`,
      'run without --stop-on-error to count rejected documents and go on',
    );
    this.name = 'InsertRejectedError';
  }
}

const MAX_SAMPLES = 5;

export async function loadStream(
  inserter: RawInserter,
  source: Readable,
  options: LoadOptions,
): Promise<LoadReport> {
  const report: LoadReport = {
    read: 0,
    inserted: 0,
    bytes: 0,
    duplicateKeys: 0,
    validationFailures: 0,
    otherFailures: 0,
    samples: [],
  };
  const slots = new Semaphore(options.workers);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const record = (errors: InsertWriteError[]) => {
    for (const e of errors) {
      if (e.code === MongoCodes.DuplicateKey) report.duplicateKeys++;
      else if (e.code === MongoCodes.DocumentValidationFailure) report.validationFailures++;
      else report.otherFailures++;
      if (report.samples.length < MAX_SAMPLES) report.samples.push(`${e.message} (code ${e.code})`);
    }
    if (options.stopOnError && errors[0]) failure ??= new InsertRejectedError(options.namespace, errors[0]);
  };

  const pool = options.batches;
  const send = async (batch: InsertBatch) => {
    await slots.acquire();
    await options.shared?.acquire();
    const release = () => {
      options.shared?.release();
      slots.release();
      pool.give(batch);
    };
    if (failure) {
      release();
      return;
    }
    const bytes = batch.bytes;
    const task = inserter
      .insert(batch)
      .then((result) => {
        report.inserted += result.inserted;
        report.bytes += bytes;
        record(result.writeErrors);
        options.onProgress?.(report.inserted, report.bytes);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        release();
        inFlight.delete(task);
      });
    inFlight.add(task);
  };

  // Documents are copied into the batch rather than referenced: a batch then
  // holds exactly its own bytes, and the archive frame they came from is
  // garbage as soon as the splitter has passed it, instead of living on until
  // the slowest insert that points into it has finished.
  let batch: InsertBatch | undefined;
  const flush = async () => {
    const full = batch!;
    batch = undefined;
    await send(full);
  };
  try {
    stream: for await (const run of splitBsonRuns(source, { streamName: options.streamName })) {
      for (const doc of run) {
        if (failure) break stream;
        throwIfAborted(options.signal, 'restore');
        report.read++;
        if (doc.length > options.maxDocumentBytes) {
          throw new StowageError(
            'mongo-document-too-large',
            `document ${report.read} of ${options.namespace} is ${doc.length} bytes, over the server's limit of ${options.maxDocumentBytes} bytes`,
            'the server cannot store it; restore into a server with a larger limit, or exclude this collection',
          );
        }
        if (batch && (!batch.fits(doc.length) || batch.count >= options.batchDocuments)) await flush();
        // A document larger than a batch gets a batch of its own size.
        batch ??= await pool.take(doc.length);
        batch.append(doc);
      }
    }
    if (batch && !failure) await flush();
  } catch (error) {
    failure ??= error;
    source.destroy();
  }
  if (batch) pool.give(batch);
  await Promise.all(inFlight);
  if (failure) throw failure;
  return report;
}
