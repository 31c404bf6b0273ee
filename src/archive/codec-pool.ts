import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { FrameHeader } from './format.js';
import {
  type CompressionLevel,
  DEFAULT_COMPRESSION,
  type DecodeProblem,
  decodeFrame,
  encodeFrame,
  encodeFramesFromPieces,
  type FrameIdentity,
  type PieceLimits,
} from './frame-codec.js';
import type { FrameRequest, WorkerReply, WorkerRequest } from './frame-worker.js';

/**
 * Runs frame compression/encryption on worker threads so the main thread stays
 * free to move bytes between the database and the store. With zero threads
 * everything runs inline (used for tiny frames and where workers are unwanted).
 */
export interface FrameCodec {
  /** `out`: a buffer of frameCapacity() bytes to build the frame in (see encodeFrame); it comes back as the frame's buffer. */
  encode(ident: FrameIdentity, raw: Uint8Array, out?: Buffer): Promise<EncodedFrame>;
  /**
   * Frames from text given in pieces, compressed as they come (see
   * encodeFramesFromPieces), on the calling thread: the pieces are produced
   * there. More than one frame when the text exceeds `limits.frameRaw`;
   * throws FrameTooLargeError beyond `limits.totalRaw`.
   */
  encodePieces(ident: FrameIdentity, pieces: Iterable<Buffer>, limits: PieceLimits): Iterable<Buffer>;
  /** `out`: a buffer to decompress into when large enough (see decodeFrame). */
  decode(header: FrameHeader, stored: Uint8Array, crc: number, out?: Buffer): Promise<Buffer | DecodeProblem>;
  close(): Promise<void>;
  /** Worker threads running (0 inline, and until a codec with threads has seen enough data to start them). */
  readonly threadsStarted: number;
}

/**
 * An encoded frame, and the raw buffer it was made from, handed back so the
 * writer can fill it again: recycling frame buffers keeps memory flat instead of
 * leaving a trail of 2 MiB buffers for the garbage collector.
 */
export interface EncodedFrame {
  frame: Buffer;
  spare: Uint8Array;
}

/** Frames smaller than this are encoded inline: posting them to a worker costs more than the work. */
const INLINE_BELOW = 16 * 1024;

/**
 * The frames a writer with `frameSize`-byte frames at `level` encodes inline even once its
 * threads run: under a 32nd of a frame (64 KiB of the default 2 MiB), at least
 * {@link INLINE_BELOW}. Such a frame is a small stream's whole or a stream's short last frame,
 * and with hundreds of small streams (collections of a few hundred documents) a hop to a thread
 * for each cost more than it saved: a backup of 500 MongoDB collections of ~36 KiB (level 6, two
 * threads) took 4.9 CPU-s and peaked at 308 MiB RSS, against 2.8 CPU-s and 136 MiB with these
 * frames inline (medians, docs/BENCHMARKS.md, session 14 `mongomem`). Kept small so that a
 * machine with many cores still compresses medium tables in parallel; from level 10 on (threads
 * from the first frame, see {@link inlineFirstBytes}) even a small frame is worth a thread.
 */
export function inlineBelowFor(frameSize: number, level: CompressionLevel): number {
  if (inlineFirstBytes(level) === 0) return INLINE_BELOW;
  return Math.max(INLINE_BELOW, Math.floor(frameSize / 32));
}

/**
 * Bytes a codec with threads still encodes (or decodes) inline before it starts them.
 *
 * Starting a codec thread is not free: each loads the frame codec and zstd in a fresh V8
 * isolate. A small backup paid far more for that than for its compression: 3.3 MB of
 * PostgreSQL data at level 1 took 0.75 CPU-s inline, 1.03 with one thread and 1.40 with three
 * (and 50–80 MiB more memory; docs/BENCHMARKS.md, session 9). Compressing 16 MiB at a cheap
 * level costs the main thread some tens of milliseconds, less than one thread's start, so the
 * threads start only once the data has shown it is bigger than that. Middle levels compress
 * slowly enough that threads pay off after a frame or two; from level 10 on a single frame
 * takes longer than a thread's start, so they start with the first one.
 */
export function inlineFirstBytes(level: CompressionLevel): number {
  if (level === 'none' || level <= 3) return 16 * 1024 * 1024;
  return level < 10 ? 4 * 1024 * 1024 : 0;
}
/**
 * How long close() waits for a worker that has gone quiet before stopping it. The wait starts
 * again with each reply: a worker still finishing frames is slow, not hung (a thread starting
 * under heavy load took over 5 s for its first frame, and stopping it then lost the frames).
 */
const CLOSE_GRACE_MS = 15_000;

/**
 * Codec threads when the caller names none.
 *
 * Handing a frame to a worker is not free: a message each way and a thread
 * woken on another core. On a 2-core machine a level-1 PostgreSQL backup spent
 * more CPU with one codec thread than compressing inline, because the server it
 * read from ran on the same two cores (docs/BENCHMARKS.md, "Design
 * measurements"). So cheap levels (3 or less, or none) get only the cores
 * nobody else needs: one is the main thread's (it reads the database and
 * hashes every byte) and `busyCores` are taken by other work on this machine,
 * such as the database server's own processes. Zero means inline. Heavier
 * levels are dominated by compression and get every core. At most 8 either way.
 *
 * @param busyCores cores other processes on this machine need while this runs (a local database server's backends)
 */
export function defaultCodecThreads(level: CompressionLevel = DEFAULT_COMPRESSION, busyCores = 0): number {
  const cores = availableParallelism();
  const cheap = level === 'none' || level <= 3;
  if (!cheap) return Math.max(1, Math.min(cores, 8));
  return Math.max(0, Math.min(cores - 1 - Math.max(0, busyCores), 8));
}

export function createFrameCodec(options: {
  threads?: number;
  level: CompressionLevel;
  key: Buffer | undefined;
  /** Bytes encoded or decoded inline before the threads start (default {@link inlineFirstBytes}). */
  inlineFirst?: number;
  /** Frames smaller than this are always handled inline (default 16 KiB; a writer's: {@link inlineBelowFor}). */
  inlineBelow?: number;
}): FrameCodec {
  const threads = options.threads ?? defaultCodecThreads(options.level);
  const inline = new InlineCodec(options.level, options.key);
  // Storing uncompressed and unencrypted is a memcpy and a CRC: not worth a thread hop.
  if (threads <= 0 || (options.level === 'none' && !options.key)) return inline;
  return new WorkerCodec(
    threads,
    options.level,
    options.key,
    inline,
    options.inlineFirst ?? inlineFirstBytes(options.level),
    options.inlineBelow ?? INLINE_BELOW,
  );
}

class InlineCodec implements FrameCodec {
  constructor(
    private readonly level: CompressionLevel,
    private readonly key: Buffer | undefined,
  ) {}
  async encode(ident: FrameIdentity, raw: Uint8Array, out?: Buffer): Promise<EncodedFrame> {
    return { frame: encodeFrame(ident, raw, this.level, this.key, out), spare: raw };
  }
  encodePieces(ident: FrameIdentity, pieces: Iterable<Buffer>, limits: PieceLimits): Iterable<Buffer> {
    return encodeFramesFromPieces(ident, pieces, this.level, this.key, limits);
  }
  async decode(
    header: FrameHeader,
    stored: Uint8Array,
    crc: number,
    out?: Buffer,
  ): Promise<Buffer | DecodeProblem> {
    return decodeFrame(header, stored, crc, this.key, out);
  }
  async close(): Promise<void> {}
  readonly threadsStarted = 0;
}

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

/**
 * Frames go to worker threads, which start only once {@link inlineFirstBytes} have been
 * handled inline (see there): a small archive never starts them.
 */
class WorkerCodec implements FrameCodec {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;
  /** Bytes still to be handled inline before the threads start. */
  private inlineBudget: number;

  constructor(
    private readonly threads: number,
    private readonly level: CompressionLevel,
    private readonly key: Buffer | undefined,
    private readonly inline: InlineCodec,
    inlineFirst: number,
    private readonly inlineBelow: number,
  ) {
    this.inlineBudget = inlineFirst;
  }

  /** Worker threads started so far: 0 until the inline budget is spent, then all of them. */
  get threadsStarted(): number {
    return this.workers.length;
  }

  /** Whether this frame is handled inline: it is tiny, or the threads are not worth starting yet. */
  private handledInline(bytes: number): boolean {
    if (bytes < this.inlineBelow) return true;
    if (this.workers.length > 0 || this.closing) return false;
    if (this.inlineBudget >= bytes) {
      this.inlineBudget -= bytes;
      return true;
    }
    this.startWorkers();
    return false;
  }

  private startWorkers(): void {
    const { level, key } = this;
    for (let i = 0; i < this.threads; i++) {
      const worker = startWorker({ level, key: key ? new Uint8Array(key) : null });
      const slot = { worker, busy: 0 };
      worker.on('message', (reply: WorkerReply) => {
        // Idle workers must not keep the process alive; busy ones must, or an awaited frame is lost at exit.
        // While closing, a worker stays referenced until it has exited: replies still in flight would
        // otherwise unref it, and close() would wait for an 'exit' that an empty event loop never
        // delivers (a damaged encrypted archive, restored in parallel, ended with exit code 13 and no message).
        if (--slot.busy === 0 && !this.closing) worker.unref();
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if ('error' in reply) p.reject(new Error(`codec worker: ${reply.error}`));
        else p.resolve(reply);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`codec worker exited with code ${code}`));
      });
      worker.unref();
      this.workers.push(slot);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private submit(req: FrameRequest, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    let slot = this.workers[0]!;
    for (const w of this.workers) if (w.busy < slot.busy) slot = w;
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      try {
        slot.worker.postMessage(req, transfer);
      } catch (err) {
        // Never posted, so no reply will come: undo the bookkeeping, or the worker stays referenced forever.
        this.pending.delete(req.id);
        if (--slot.busy === 0 && !this.closing) slot.worker.unref();
        reject(err);
      }
    });
  }

  async encode(ident: FrameIdentity, raw: Uint8Array, out?: Buffer): Promise<EncodedFrame> {
    if (this.handledInline(raw.length)) return this.inline.encode(ident, raw, out);
    const { data, transfer } = ownedCopy(raw);
    const move = movable(out);
    const reply = await this.submit(
      { id: this.nextId++, op: 'encode', ident, raw: data, ...(move ? { out: move } : {}) },
      move ? [...transfer, move.buffer as ArrayBuffer] : transfer,
    );
    if (!('data' in reply)) throw new Error(`codec worker: unexpected reply to encode`);
    // A raw view that was copied (a short frame in a frame-size buffer: a stream's last frame)
    // never moved, so the caller's own buffer is free again already and is what goes back to its
    // pool. Handing back the worker's copy instead left the frame-size buffer to the garbage
    // collector and had the next stream allocate another: one 2 MiB buffer per stream.
    const moved = data === raw;
    return { frame: asBuffer(reply.data), spare: moved && reply.spare ? reply.spare : raw };
  }

  encodePieces(ident: FrameIdentity, pieces: Iterable<Buffer>, limits: PieceLimits): Iterable<Buffer> {
    return this.inline.encodePieces(ident, pieces, limits);
  }

  async decode(
    header: FrameHeader,
    stored: Uint8Array,
    crc: number,
    out?: Buffer,
  ): Promise<Buffer | DecodeProblem> {
    if (this.handledInline(stored.length)) return this.inline.decode(header, stored, crc, out);
    const { data, transfer } = ownedCopy(stored);
    const move = movable(out);
    const reply = await this.submit(
      { id: this.nextId++, op: 'decode', header, stored: data, crc, ...(move ? { out: move } : {}) },
      move ? [...transfer, move.buffer as ArrayBuffer] : transfer,
    );
    if ('data' in reply) return asBuffer(reply.data);
    if ('problem' in reply) return reply.problem as DecodeProblem;
    throw new Error('codec worker: unexpected reply to decode');
  }

  async close(): Promise<void> {
    this.closing = true;
    // Requests submitted from here on are refused rather than posted to a worker that is going away.
    this.failure ??= new Error('codec closed');
    for (const w of this.workers) w.worker.ref();
    // Each worker is asked to finish and exits once its last frame is done. terminate() stops a
    // thread wherever it is: zstd-napi's native finalizers then run in an environment that can no
    // longer call into JavaScript, and a throw there aborts the whole process ("terminate called
    // after throwing an instance of 'Napi::Error'", seen once in CI; nodejs/node-addon-api#975).
    // A worker silent for CLOSE_GRACE_MS is terminated all the same.
    await Promise.all(
      this.workers.map(async ({ worker }) => {
        if (worker.threadId === -1) return; // already gone
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ op: 'close' } satisfies WorkerRequest);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          const arm = () => {
            clearTimeout(timer);
            timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
          };
          worker.on('message', arm);
          arm();
        });
        if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
        clearTimeout(timer);
      }),
    );
    this.workers.length = 0;
    // A frame still awaited now has lost its worker: its caller hears so instead of waiting forever.
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}

/** `out` when it owns all of its memory, so it can move to a worker and back; else nothing (the worker allocates). */
function movable(out: Buffer | undefined): Buffer | undefined {
  return out &&
    out.byteOffset === 0 &&
    out.buffer instanceof ArrayBuffer &&
    out.buffer.byteLength === out.length
    ? out
    : undefined;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Buffers that own their whole ArrayBuffer are moved to the worker; slices of shared pools are copied. */
function ownedCopy(b: Uint8Array): { data: Uint8Array; transfer: ArrayBuffer[] } {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) {
    return { data: b, transfer: [b.buffer] };
  }
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return { data: copy, transfer: [copy.buffer] };
}

/**
 * The worker script next to this module. Running from TypeScript sources
 * (tests, tsx), the worker first registers tsx so it can load the .ts file.
 */
function startWorker(workerData: unknown): Worker {
  // Loaded here, not at the top: most runs (every archive a few MiB long) start no thread, and
  // worker_threads costs each run ~1 ms of CPU to load (docs/BENCHMARKS.md, "Session 15: startup").
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./frame-worker.js', here), { workerData });
  // tsx's ESM entry (its `import` export); require.resolve would give the CommonJS one, which cannot register ESM hooks.
  const tsxRoot = dirname(createRequire(here).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./frame-worker.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
