import { openBatchReader } from './raw-batches.js';
import { AbortedError, endStream, throwIfAborted, writeWithBackpressure } from './stream-io.js';
/**
 * Streams `task` into `writer` and ends it. While one batch is being written
 * (and waits on backpressure), the next is already being fetched from the
 * server, so the network and the archive work at the same time; at most two
 * batches (plus the one being copied) are held in memory.
 */
export async function dumpCollection(client, task, writer, hooks = {}) {
    const reader = openBatchReader(client, {
        db: task.db,
        collection: task.collection,
        filter: task.filter,
        batchSize: task.batchSize,
        natural: task.natural,
    }, hooks.topology ?? 'standalone');
    let documents = 0;
    let bytes = 0;
    const onAbort = () => {
        reader.close().catch(() => { });
    };
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    try {
        throwIfAborted(hooks.signal, 'backup');
        let batch = await reader.next();
        while (batch) {
            // Ask for the next batch now; it travels while this one is written.
            const nextBatch = reader.next();
            // A rejection is handled when awaited below; this stops Node flagging it in between.
            nextBatch.catch(() => { });
            // One copy into a fresh buffer: the reply (and its slices) can then be collected at once.
            const chunk = batch.length === 1 ? batch[0] : Buffer.concat(batch);
            documents += batch.length;
            bytes += chunk.byteLength;
            writer.itemCount = documents;
            await writeWithBackpressure(writer, chunk, hooks.signal);
            hooks.onBatch?.(documents, bytes);
            throwIfAborted(hooks.signal, 'backup');
            batch = await nextBatch;
        }
        await endStream(writer);
        return { documents, bytes };
    }
    catch (error) {
        await reader.close();
        if (hooks.signal?.aborted)
            throw new AbortedError('backup');
        throw error;
    }
    finally {
        hooks.signal?.removeEventListener('abort', onAbort);
        await reader.close();
    }
}
//# sourceMappingURL=collection-dump.js.map