import { StowageError } from '../../errors.js';
import { splitBson } from './bson-splitter.js';
import { MongoCodes } from './mongo-errors.js';
import { AbortedError } from './stream-io.js';
import { Semaphore } from './work-pool.js';
/** A document the server refused while `stopOnError` is set. */
export class InsertRejectedError extends StowageError {
    constructor(namespace, error) {
        super('mongo-insert-rejected', `a document was rejected in ${namespace}: ${error.message} (code ${error.code})`, 'run without --stop-on-error to count rejected documents and go on');
        this.name = 'InsertRejectedError';
    }
}
const MAX_SAMPLES = 5;
export async function loadStream(inserter, source, options) {
    const report = {
        read: 0,
        inserted: 0,
        bytes: 0,
        duplicateKeys: 0,
        validationFailures: 0,
        otherFailures: 0,
        samples: [],
    };
    const slots = new Semaphore(options.workers);
    const inFlight = new Set();
    let failure;
    const record = (errors) => {
        for (const e of errors) {
            if (e.code === MongoCodes.DuplicateKey)
                report.duplicateKeys++;
            else if (e.code === MongoCodes.DocumentValidationFailure)
                report.validationFailures++;
            else
                report.otherFailures++;
            if (report.samples.length < MAX_SAMPLES)
                report.samples.push(`${e.message} (code ${e.code})`);
        }
        if (options.stopOnError && errors[0])
            failure ??= new InsertRejectedError(options.namespace, errors[0]);
    };
    const pool = options.batches;
    const send = async (batch) => {
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
            .catch((error) => {
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
    let batch;
    const flush = async () => {
        const full = batch;
        batch = undefined;
        await send(full);
    };
    try {
        for await (const doc of splitBson(source, { streamName: options.streamName })) {
            if (failure)
                break;
            if (options.signal?.aborted)
                throw new AbortedError('restore');
            report.read++;
            if (doc.length > options.maxDocumentBytes) {
                throw new StowageError('mongo-document-too-large', `document ${report.read} of ${options.namespace} is ${doc.length} bytes, over the server's limit of ${options.maxDocumentBytes} bytes`, 'the server cannot store it; restore into a server with a larger limit, or exclude this collection');
            }
            if (batch && (!batch.fits(doc.length) || batch.count >= options.batchDocuments))
                await flush();
            // A document larger than a batch gets a batch of its own size.
            batch ??= await pool.take(doc.length);
            batch.append(doc);
        }
        if (batch && !failure)
            await flush();
    }
    catch (error) {
        failure ??= error;
        source.destroy();
    }
    if (batch)
        pool.give(batch);
    await Promise.all(inFlight);
    if (failure)
        throw failure;
    return report;
}
//# sourceMappingURL=collection-load.js.map