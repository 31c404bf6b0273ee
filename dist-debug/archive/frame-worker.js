import { parentPort, workerData } from 'node:worker_threads';
import { decodeFrame, encodeFrame } from './frame-codec.js';
const { level, key } = workerData;
const keyBuffer = key ? Buffer.from(key) : undefined;
parentPort.on('message', (req) => {
    try {
        if (req.op === 'encode') {
            const frame = encodeFrame(req.ident, req.raw, level, keyBuffer, asBuffer(req.out));
            // The raw buffer goes back too, so the writer can refill it instead of allocating another.
            parentPort.postMessage({ id: req.id, data: frame, spare: req.raw }, [
                ...transferable(frame),
                ...transferable(req.raw),
            ]);
            return;
        }
        const result = decodeFrame(req.header, req.stored, req.crc, keyBuffer, asBuffer(req.out));
        if (typeof result === 'string') {
            parentPort.postMessage({ id: req.id, problem: result });
        }
        else {
            parentPort.postMessage({ id: req.id, data: result }, transferable(result));
        }
    }
    catch (err) {
        parentPort.postMessage({
            id: req.id,
            error: err instanceof Error ? err.message : String(err),
        });
    }
});
function asBuffer(b) {
    return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : undefined;
}
/** A view's whole buffer, when moving it is safe: it starts the buffer and is not a slice of a shared pool. */
function transferable(b) {
    return b.byteOffset === 0 && b.buffer instanceof ArrayBuffer && b.byteLength > Buffer.poolSize / 2
        ? [b.buffer]
        : [];
}
//# sourceMappingURL=frame-worker.js.map