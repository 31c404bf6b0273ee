import { parentPort, workerData } from 'node:worker_threads';
import type { FrameHeader } from './format.js';
import { type CompressionLevel, decodeFrame, encodeFrame, type FrameIdentity } from './frame-codec.js';

/** Codec worker: compresses/encrypts and verifies/decrypts frames off the main thread. */

/** A frame to encode or decode: each gets one reply with its id. */
export type FrameRequest =
  | { id: number; op: 'encode'; ident: FrameIdentity; raw: Uint8Array; out?: Uint8Array }
  | { id: number; op: 'decode'; header: FrameHeader; stored: Uint8Array; crc: number; out?: Uint8Array };

/** What the worker is sent: frames, then one `close` once no more will come. */
export type WorkerRequest = FrameRequest | { op: 'close' };

export type WorkerReply =
  | { id: number; data: Uint8Array; spare?: Uint8Array }
  | { id: number; problem: string }
  | { id: number; error: string };

const { level, key } = workerData as { level: CompressionLevel; key: Uint8Array | null };
const keyBuffer = key ? Buffer.from(key) : undefined;

parentPort!.on('message', (req: WorkerRequest) => {
  if (req.op === 'close') {
    // Leaves the thread with nothing to do, so it ends by itself, never stopped in the middle of
    // native zstd work (see WorkerCodec.close).
    parentPort!.close();
    return;
  }
  try {
    if (req.op === 'encode') {
      const frame = encodeFrame(req.ident, req.raw, level, keyBuffer, asBuffer(req.out));
      // The raw buffer goes back too, so the writer can refill it instead of allocating another.
      parentPort!.postMessage({ id: req.id, data: frame, spare: req.raw } satisfies WorkerReply, [
        ...transferable(frame),
        ...transferable(req.raw),
      ]);
      return;
    }
    const result = decodeFrame(req.header, req.stored, req.crc, keyBuffer, asBuffer(req.out));
    if (typeof result === 'string') {
      parentPort!.postMessage({ id: req.id, problem: result } satisfies WorkerReply);
    } else {
      parentPort!.postMessage({ id: req.id, data: result } satisfies WorkerReply, transferable(result));
    }
  } catch (err) {
    parentPort!.postMessage({
      id: req.id,
      error: err instanceof Error ? err.message : String(err),
    } satisfies WorkerReply);
  }
});

function asBuffer(b: Uint8Array | undefined): Buffer | undefined {
  return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : undefined;
}

/** A view's whole buffer, when moving it is safe: it starts the buffer and is not a slice of a shared pool. */
function transferable(b: Uint8Array): ArrayBuffer[] {
  return b.byteOffset === 0 && b.buffer instanceof ArrayBuffer && b.byteLength > Buffer.poolSize / 2
    ? [b.buffer]
    : [];
}
