import type { Readable } from 'node:stream';
import { StowageError } from '../../errors.js';
import { splitBson } from './bson-splitter.js';
import { MongoCodes } from './mongo-errors.js';
import type { InsertWriteError, RawInserter } from './raw-insert.js';
import { AbortedError } from './stream-io.js';
import { Semaphore } from './work-pool.js';

/**
 * Loads one archive stream into one collection: split the raw BSON stream into
 * documents, group them into byte-bounded batches, and keep up to `workers`
 * insert commands in flight. Documents the server refuses are counted by
 * reason and a few messages kept; they are never dropped without a trace.
 */

export interface LoadOptions {
  streamName: string;
  namespace: string;
  /** Upper bound of one batch in bytes (a single larger document still goes alone). */
  batchBytes: number;
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

  const send = async (batch: { runs: Uint8Array[]; count: number }, bytes: number) => {
    await slots.acquire();
    await options.shared?.acquire();
    const release = () => {
      options.shared?.release();
      slots.release();
    };
    if (failure) {
      release();
      return;
    }
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

  // A batch is kept as runs of bytes: documents that lie next to each other in
  // the same stream chunk (almost all of them) form one run, a zero-copy view
  // of the chunk. Nothing is copied on this side; the driver copies the batch
  // once into its wire message.
  let runs: Uint8Array[] = [];
  let runBase: ArrayBufferLike | undefined;
  let runStart = 0;
  let runEnd = 0;
  let batchBytes = 0;
  let count = 0;
  const closeRun = () => {
    if (runBase) runs.push(new Uint8Array(runBase, runStart, runEnd - runStart));
    runBase = undefined;
  };
  const flush = async () => {
    closeRun();
    const batch = { runs, count };
    const bytes = batchBytes;
    runs = [];
    batchBytes = 0;
    count = 0;
    await send(batch, bytes);
  };
  try {
    for await (const doc of splitBson(source, { streamName: options.streamName })) {
      if (failure) break;
      if (options.signal?.aborted) throw new AbortedError('restore');
      report.read++;
      if (doc.length > options.maxDocumentBytes) {
        throw new StowageError(
          'mongo-document-too-large',
          `document ${report.read} of ${options.namespace} is ${doc.length} bytes, over the server's limit of ${options.maxDocumentBytes} bytes`,
          'the server cannot store it; restore into a server with a larger limit, or exclude this collection',
        );
      }
      if (count > 0 && (batchBytes + doc.length > options.batchBytes || count >= options.batchDocuments))
        await flush();
      if (runBase === doc.buffer && runEnd === doc.byteOffset) {
        runEnd += doc.length;
      } else {
        closeRun();
        runBase = doc.buffer;
        runStart = doc.byteOffset;
        runEnd = doc.byteOffset + doc.length;
      }
      batchBytes += doc.length;
      count++;
    }
    if (!failure && count > 0) await flush();
  } catch (error) {
    failure ??= error;
    source.destroy();
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return report;
}
