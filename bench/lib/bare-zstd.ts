import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The "bare compressor" the archive writer is compared against: the same
 * zstd-napi library, the same compression level and frame size, on the same
 * number of worker threads, with the same bounded number of frames in flight —
 * and nothing else: no frame headers, no CRC, no SHA-256, no ordering, no
 * output. The worker is plain JavaScript evaluated from a string, so it starts
 * the same way whether the bench runs from sources or compiled.
 */

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Compressor, Decompressor } = require(workerData.zstdPath);
let compressor;
if (workerData.level !== 'none') {
  compressor = new Compressor();
  compressor.setParameters({ compressionLevel: workerData.level, checksumFlag: false, contentSizeFlag: true });
}
const decompressor = new Decompressor();
parentPort.on('message', (m) => {
  const input = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  const out = m.op === 'compress' ? compressor.compress(input) : decompressor.decompress(input);
  // Only the size goes back: the output is discarded, as a bare compressor piping to nowhere would.
  parentPort.postMessage({ id: m.id, size: out.length });
});
`;

export class BareZstdPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, (size: number) => void>();
  private nextId = 0;
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  readonly maxInFlight: number;

  constructor(threads: number, level: number | 'none') {
    const zstdPath = createRequire(import.meta.url).resolve('zstd-napi');
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { zstdPath, level } });
      const slot = { worker, busy: 0 };
      worker.on('message', (m: { id: number; size: number }) => {
        slot.busy--;
        this.inFlight--;
        const done = this.pending.get(m.id)!;
        this.pending.delete(m.id);
        done(m.size);
        this.waiters.shift()?.();
      });
      worker.on('error', (err) => {
        throw err;
      });
      this.workers.push(slot);
    }
    // The writer's own bound (writer.ts: max(4, threads * 2 + 2)), so both pipelines are equally deep.
    this.maxInFlight = Math.max(4, threads * 2 + 2);
  }

  /**
   * Waits for room, then sends one frame (moved, not copied) to the least busy
   * worker; `done` resolves with the output size.
   */
  async submit(op: 'compress' | 'decompress', data: Uint8Array): Promise<{ done: Promise<number> }> {
    while (this.inFlight >= this.maxInFlight)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    let slot = this.workers[0]!;
    for (const w of this.workers) if (w.busy < slot.busy) slot = w;
    slot.busy++;
    this.inFlight++;
    const id = this.nextId++;
    const result = new Promise<number>((resolve) => this.pending.set(id, resolve));
    const owned = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    const payload = owned ? data : new Uint8Array(data);
    slot.worker.postMessage({ id, op, data: payload }, [payload.buffer as ArrayBuffer]);
    return { done: result };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
