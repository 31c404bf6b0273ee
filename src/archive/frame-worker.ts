import { parentPort, workerData } from 'node:worker_threads';
import type { FrameHeader } from './format.js';
import { type CompressionLevel, decodeFrame, encodeFrame, type FrameIdentity } from './frame-codec.js';

/** Codec worker: compresses/encrypts and verifies/decrypts frames off the main thread. */

export type WorkerRequest =
  | { id: number; op: 'encode'; ident: FrameIdentity; raw: Uint8Array }
  | { id: number; op: 'decode'; header: FrameHeader; stored: Uint8Array; crc: number };

export type WorkerReply =
  | { id: number; data: Uint8Array; spare?: Uint8Array }
  | { id: number; problem: string }
  | { id: number; error: string };

const { level, key } = workerData as { level: CompressionLevel; key: Uint8Array | null };
const keyBuffer = key ? Buffer.from(key) : undefined;

parentPort!.on('message', (req: WorkerRequest) => {
  try {
    if (req.op === 'encode') {
      const frame = encodeFrame(req.ident, req.raw, level, keyBuffer);
      // The raw buffer goes back too, so the writer can refill it instead of allocating another.
      parentPort!.postMessage({ id: req.id, data: frame, spare: req.raw } satisfies WorkerReply, [
        ...transferable(frame),
        ...transferable(req.raw),
      ]);
      return;
    }
    const result = decodeFrame(req.header, req.stored, req.crc, keyBuffer);
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

function transferable(b: Uint8Array): ArrayBuffer[] {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer
    ? [b.buffer]
    : [];
}
