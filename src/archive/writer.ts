import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { EngineStreamWriter, StreamWriterSet } from '../engines/engine.js';
import { StowageError, UsageError } from '../errors.js';
import { archiveKeys, type Encryption } from './archive-keys.js';
import { BufferPool } from './buffer-pool.js';
import type { ByteSink } from './byte-sink.js';
import {
  createFrameCodec,
  defaultCodecThreads,
  type EncodedFrame,
  type FrameCodec,
  inlineBelowFor,
} from './codec-pool.js';
import {
  DEFAULT_FRAME_SIZE,
  encodeHeader,
  encodeTrailer,
  FORMAT_VERSION,
  FRAME_CRC_SIZE,
  FrameType,
  HEADER_SIZE,
  type Header,
  headerAuthenticatedPart,
  Kdf,
  MAX_FOOTER_SIZE,
  MAX_FRAME_SIZE,
  SPLIT_FOOTER_VERSION,
} from './format.js';
import {
  type CompressionLevel,
  DEFAULT_COMPRESSION,
  type FrameIdentity,
  FrameTooLargeError,
  frameCapacity,
  type PieceLimits,
} from './frame-codec.js';
import { GatheredFrames } from './gathered-frames.js';
import { jsonPieceBytes } from './json-pieces.js';
import { computeKeyCheck, DEFAULT_SCRYPT, kdfFor } from './keys.js';
import {
  type Footer,
  type Manifest,
  type ManifestInput,
  manifestSchemas,
  type StreamEntry,
} from './manifest.js';
import {
  createStreamDigest,
  type DigestAlgorithm,
  digestOf,
  preferredDigest,
  type StreamDigest,
} from './stream-digest.js';
import { StreamRecords } from './stream-records.js';

export interface ArchiveWriterOptions {
  /** zstd level 1–19 or 'none'. Default {@link DEFAULT_COMPRESSION}. */
  compression?: CompressionLevel;
  /** Encrypt every frame and the footer with AES-256-GCM: the passphrase or key, or an operation's key cache. */
  encryption?: Encryption;
  /** Raw bytes per data frame (default 2 MiB). */
  frameSize?: number;
  /** Codec worker threads (default: defaultCodecThreads(level, busyCores); 0 = inline), started after `inlineFirst` bytes. */
  threads?: number;
  /** Cores that other work on this machine needs meanwhile, for the default thread count (see defaultCodecThreads). */
  busyCores?: number;
  /** Bytes compressed inline before the codec threads start (default: inlineFirstBytes(level)); lower only in tests. */
  inlineFirst?: number;
  /** Whole-stream digest (default: BLAKE3 where its hasher loads, else SHA-256; see stream-digest.ts). */
  digest?: DigestAlgorithm;
  /** scrypt cost for passphrases; lower only in tests. */
  scrypt?: { logN: number; r: number; p: number };
  /**
   * Raw bytes per footer frame before the footer goes on in another (default
   * and at most 64 MiB, the frame limit); lower only in tests, to split a
   * footer without tens of MiB of manifest.
   */
  footerFrameSize?: number;
  /** Raw bytes of the footer in all its frames (default and at most MAX_FOOTER_SIZE); lower only in tests. */
  maxFooterSize?: number;
}

export interface ArchiveResult {
  manifest: Manifest;
  /** Total archive size in bytes. */
  bytes: number;
  location: string;
}

/** The smallest data or footer frame the writer takes (tests use it to get many frames from little data). */
const MIN_FRAME_SIZE = 1024;

/** What a stream's first data is gathered in at most, before it needs a frame-size buffer. */
const FIRST_BUFFER_BYTES = 16 * 1024;

/** The least a stream's first buffer holds, however small its first chunk (a COPY's header, say). */
const MIN_FIRST_BUFFER = 1024;

/**
 * Frames shorter than this are gathered and handed to the sink together: a table with no rows is
 * three frames of some 60–100 bytes (open, data, close), and a sink's write is a few promises and
 * async calls (the stall watchdog's among them): with 20,000 such tables, 60,000 writes were an
 * eighth of what the data phase allocated (docs/BENCHMARKS.md, "Session 19: bkpeak3").
 */
const GATHER_BELOW = 4 * 1024;

/** At most this many bytes of small frames wait for the sink: 16 × GATHER_BELOW (see GatheredFrames.full). */
const GATHER_BYTES = 16 * GATHER_BELOW;

/**
 * A stream while it is written. Once its close frame is written it becomes a
 * record in {@link StreamRecords} and this object is dropped.
 */
interface StreamState {
  id: number;
  name: string;
  /**
   * The running digest, started by the stream's first full frame: a stream that ends within
   * one frame is hashed whole at its end (see digestOf) and never has one. Dropped once its
   * digest is taken (a BLAKE3 hasher is a few KiB, times thousands of tables).
   */
  hash: StreamDigest | undefined;
  rawBytes: number;
  storedBytes: number;
  sequence: number;
  opened: boolean;
  items: number;
  offsets: number[];
  sizes: number[];
  crcs: number[];
  buffer: Buffer | undefined;
  filled: number;
  /** Lowercase hex, once the stream has ended. */
  digestHex?: string;
}

interface QueuedFrame {
  stream: StreamState | undefined;
  type: FrameType;
  frame: Promise<EncodedFrame>;
}

/**
 * Writes a .stow archive front to back into a {@link ByteSink}. Engines write
 * into named streams obtained from {@link open}; each stream cuts its bytes
 * into frames that are compressed and encrypted on worker threads and appended
 * to the sink in submission order. A bounded number of frames are in flight,
 * which is where backpressure reaches the engine's streams.
 */
export class ArchiveWriter implements StreamWriterSet {
  /** Every stream's name; a closed stream's counts, digest and frames (see stream-records.ts). */
  private readonly records: StreamRecords;
  /** Streams not yet closed, by id, for the message of a finish that comes too early. */
  private readonly openStreams = new Map<number, StreamState>();
  private readonly queue: QueuedFrame[] = [];
  private readonly capacityWaiters: (() => void)[] = [];
  /** Raw frame buffers, filled by the streams and handed back by the codec. */
  private readonly rawBuffers: BufferPool;
  /** Buffers frames are built in, when the sink lets go of what it wrote (see takeOutputBuffer). */
  private readonly outputBuffers: BufferPool;
  private readonly maxInFlight: number;
  /** Small frames written and not yet handed to the sink (see GATHER_BELOW). */
  private readonly small = new GatheredFrames(GATHER_BYTES);
  private offset = HEADER_SIZE;
  private ordinal = 0;
  private draining: Promise<void> | undefined;
  private failure: Error | undefined;
  private state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';

  private constructor(
    private readonly sink: ByteSink,
    private readonly codec: FrameCodec,
    private readonly frameSize: number,
    private readonly encrypted: boolean,
    threads: number,
    private readonly digest: DigestAlgorithm,
    private readonly footerLimits: PieceLimits,
  ) {
    this.maxInFlight = Math.max(4, threads * 2 + 2);
    this.records = new StreamRecords(digest);
    // At most one of each per frame that can be in flight.
    this.rawBuffers = new BufferPool(frameSize, this.maxInFlight);
    this.outputBuffers = new BufferPool(frameCapacity(frameSize), this.maxInFlight);
  }

  /** Writes the archive header and returns a writer ready for streams. */
  static async create(sink: ByteSink, options: ArchiveWriterOptions = {}): Promise<ArchiveWriter> {
    const frameSize = checkedFrameSize('frame size', options.frameSize ?? DEFAULT_FRAME_SIZE);
    const footerFrameSize = checkedFrameSize('footer frame size', options.footerFrameSize ?? MAX_FRAME_SIZE);
    const level = options.compression ?? DEFAULT_COMPRESSION;
    if (level !== 'none' && (!Number.isInteger(level) || level < 1 || level > 19)) {
      throw new UsageError(`compression level must be 1–19 or none, got ${level}`);
    }
    const digest = options.digest ?? preferredDigest();
    // Fails now, not at the first stream, when BLAKE3 is asked for and not available.
    createStreamDigest(digest);
    const scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    const keys = archiveKeys(options.encryption);
    const kdf = keys ? kdfFor(keys.source) : Kdf.None;
    const header: Header = {
      version: FORMAT_VERSION,
      encrypted: keys !== undefined,
      kdf,
      scryptLogN: kdf === Kdf.Scrypt ? scrypt.logN : 0,
      scryptR: kdf === Kdf.Scrypt ? scrypt.r : 0,
      scryptP: kdf === Kdf.Scrypt ? scrypt.p : 0,
      salt: randomBytes(16),
      keyCheck: Buffer.alloc(16),
    };
    let key: Buffer | undefined;
    if (keys) {
      // Through the operation's cache: a verify that follows reads this archive without deriving again.
      key = await keys.keyFor(header);
      header.keyCheck = computeKeyCheck(key, headerAuthenticatedPart(encodeHeader(header)));
    }
    const threads = options.threads ?? defaultCodecThreads(level, options.busyCores);
    const codec = createFrameCodec({
      threads,
      level,
      key,
      inlineFirst: options.inlineFirst,
      // Small streams' frames stay on this thread (see inlineBelowFor).
      inlineBelow: inlineBelowFor(frameSize, level),
    });
    try {
      await sink.write(encodeHeader(header));
    } catch (err) {
      await codec.close();
      throw err;
    }
    const footerLimits: PieceLimits = {
      frameRaw: footerFrameSize,
      totalRaw: Math.min(options.maxFooterSize ?? MAX_FOOTER_SIZE, MAX_FOOTER_SIZE),
    };
    return new ArchiveWriter(sink, codec, frameSize, key !== undefined, threads, digest, footerLimits);
  }

  /** Where the archive goes, for messages. */
  get location(): string {
    return this.sink.location;
  }

  /** Opens a named stream. Write raw bytes, set `itemCount`, then end it. */
  open(name: string): EngineStreamWriter {
    if (this.state !== 'open')
      throw new StowageError('writer-closed', `cannot open stream ${name}: archive is ${this.state}`);
    if (this.records.has(name)) throw new StowageError('duplicate-stream', `stream ${name} was opened twice`);
    // The manifest's schema wants a name: an empty one would fail only at the footer, after all the data.
    if (name === '') throw new StowageError('internal', 'a stream was opened without a name (a stowage bug)');
    const state: StreamState = {
      id: this.records.add(name),
      name,
      hash: undefined,
      rawBytes: 0,
      storedBytes: 0,
      sequence: 0,
      opened: false,
      items: 0,
      offsets: [],
      sizes: [],
      crcs: [],
      buffer: undefined,
      filled: 0,
    };
    this.openStreams.set(state.id, state);
    const writer = this;
    const stream = new Writable({
      highWaterMark: 256 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        writer.append(state, chunk).then(() => callback(), callback);
      },
      writev(chunks, callback) {
        writer
          .appendMany(
            state,
            chunks.map((c) => c.chunk as Buffer),
          )
          .then(() => callback(), callback);
      },
      final(callback) {
        state.items = stream.itemCount;
        writer.close(state).then(() => callback(), callback);
      },
    }) as EngineStreamWriter;
    // The engine listens for failures while it writes; once a run has ended (a stall, say) it may
    // have stopped listening, and a write failing then must not crash the process: the run's
    // outcome was reported already.
    stream.on('error', () => {});
    stream.itemCount = 0;
    return stream;
  }

  /**
   * An output buffer for a data frame, when the sink lets go of what it wrote
   * (see ByteSink.releasesChunks): with raw and output buffers both recycled,
   * a backup allocates nothing per frame and leaves the garbage collector
   * nothing to catch up on.
   */
  private takeOutputBuffer(): Buffer | undefined {
    if (!this.sink.releasesChunks || this.encrypted) return undefined;
    return this.outputBuffers.take();
  }

  private async appendMany(state: StreamState, chunks: Buffer[]): Promise<void> {
    for (const chunk of chunks) await this.append(state, chunk);
  }

  private async append(state: StreamState, chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    if (!state.opened) await this.openFrame(state);
    state.rawBytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      if (!state.buffer) {
        // A stream starts in a small buffer, the size of its first chunk: with thousands of small
        // tables most streams end within it, and a frame-size buffer for each of the streams
        // written at once (a batch of small tables, see copy-out-batch.ts) added tens of MiB to a
        // backup's peak; 16 KiB for each table's 2 KiB kept the garbage collector busy.
        // A stream that has filled a frame already is a big one: straight to a frame-size buffer.
        state.buffer =
          state.sequence > 0
            ? this.rawBuffers.take()
            : Buffer.allocUnsafeSlow(Math.min(Math.max(chunk.length - at, MIN_FIRST_BUFFER), this.frameSize));
      } else if (state.filled === state.buffer.length) {
        // Grown to FIRST_BUFFER_BYTES first, then to a frame-size buffer: at most 16 KiB is copied twice.
        const more = state.filled + chunk.length - at;
        const bigger =
          more <= FIRST_BUFFER_BYTES && state.buffer.length < FIRST_BUFFER_BYTES
            ? Buffer.allocUnsafeSlow(Math.min(FIRST_BUFFER_BYTES, this.frameSize))
            : this.rawBuffers.take();
        state.buffer.copy(bigger, 0, 0, state.filled);
        state.buffer = bigger;
      }
      const n = Math.min(chunk.length - at, state.buffer.length - state.filled);
      chunk.copy(state.buffer, state.filled, at, at + n);
      state.filled += n;
      at += n;
      if (state.filled === this.frameSize) await this.flushData(state);
    }
  }

  private async openFrame(state: StreamState): Promise<void> {
    state.opened = true;
    await this.submit(
      state,
      FrameType.StreamOpen,
      Buffer.from(JSON.stringify({ name: state.name, digest: this.digest })),
    );
  }

  /** Submits the stream's buffered bytes as a data frame; `last` when the stream ends with it. */
  private async flushData(state: StreamState, last = false): Promise<void> {
    const raw = state.filled === this.frameSize ? state.buffer! : state.buffer!.subarray(0, state.filled);
    state.buffer = undefined;
    state.filled = 0;
    // Hashed a frame at a time, not per written chunk: BLAKE3 is markedly faster over whole
    // frames than over the ~110 KiB pieces sockets deliver. A stream of one frame is hashed in
    // one call: no running hasher for each of thousands of small tables.
    if (last && !state.hash) {
      state.digestHex = digestOf(this.digest, raw);
    } else {
      state.hash ??= createStreamDigest(this.digest);
      state.hash.update(raw);
    }
    await this.submit(state, FrameType.Data, raw);
  }

  private async close(state: StreamState): Promise<void> {
    this.throwIfFailed();
    if (!state.opened) await this.openFrame(state);
    if (state.filled > 0) await this.flushData(state, true);
    state.digestHex ??= state.hash ? state.hash.hex() : digestOf(this.digest, new Uint8Array(0));
    state.hash = undefined;
    const summary = {
      items: state.items,
      rawBytes: state.rawBytes,
      [this.digest]: state.digestHex,
      frames: state.sequence,
    };
    await this.submit(state, FrameType.StreamClose, Buffer.from(JSON.stringify(summary)));
  }

  /** Queues a frame for encoding; waits while too many frames are in flight. */
  private async submit(state: StreamState | undefined, type: FrameType, raw: Buffer): Promise<void> {
    // After a failure the drain loop has stopped: nothing would ever wake a submitter waiting for room.
    this.throwIfFailed();
    while (this.queue.length >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
      this.throwIfFailed();
    }
    // Ordinal and queue position are assigned together, synchronously, so ordinals follow file order.
    const ident: FrameIdentity = {
      type,
      streamId: state?.id ?? 0,
      ordinal: this.ordinal++,
      sequence: type === FrameType.Data ? state!.sequence++ : 0,
    };
    // A small stream's one frame (see FIRST_BUFFER_BYTES) gets a buffer of its own size: thousands
    // of small tables kept a pool of frame-size output buffers (MiBs) busy for a few KiB each.
    const frame = this.codec.encode(
      ident,
      raw,
      type === FrameType.Data && raw.length > FIRST_BUFFER_BYTES ? this.takeOutputBuffer() : undefined,
    );
    frame.catch(() => {}); // observed by the drain loop; this stops an unhandled-rejection crash meanwhile
    this.queue.push({ stream: state, type, frame });
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        while (this.queue.length > 0) {
          const next = this.queue[0]!;
          const { frame, spare } = await next.frame;
          this.rawBuffers.give(spare);
          // Read before the sink (or the buffer pool) may reuse the frame's memory.
          const payloadCrc = frame.readUInt32LE(frame.length - FRAME_CRC_SIZE);
          if (frame.length < GATHER_BELOW) {
            this.small.add(frame);
            // Copied: a frame built in a pooled output buffer (a compressible frame under 4 KiB) is free again.
            this.outputBuffers.give(frame);
          } else {
            await this.writeGathered();
            await this.sink.write(frame);
            if (this.sink.releasesChunks) this.outputBuffers.give(frame);
          }
          if (next.type === FrameType.Data && next.stream) {
            next.stream.offsets.push(this.offset);
            next.stream.sizes.push(frame.length);
            next.stream.crcs.push(payloadCrc);
            next.stream.storedBytes += frame.length;
          }
          if (next.type === FrameType.StreamClose && next.stream) this.recordClosed(next.stream);
          this.offset += frame.length;
          this.queue.shift();
          this.capacityWaiters.shift()?.();
          if (this.small.full) await this.writeGathered();
        }
        if (this.small.empty) break;
        // The queue ran dry: the engine's streams may be about to submit more (a batch of tables
        // answered by one socket read); their frames join these rather than each be a write.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.queue.length === 0) await this.writeGathered();
      }
    } catch (err) {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
      for (const wake of this.capacityWaiters.splice(0)) wake();
    } finally {
      this.draining = undefined;
    }
  }

  /** A stream whose close frame is written: all of its frames are, and its state becomes a record. */
  private recordClosed(state: StreamState): void {
    this.records.close({
      id: state.id,
      items: state.items,
      rawBytes: state.rawBytes,
      storedBytes: state.storedBytes,
      digestHex: state.digestHex!,
      offsets: state.offsets,
      sizes: state.sizes,
      crcs: state.crcs,
    });
    this.openStreams.delete(state.id);
  }

  /** Writes the small frames gathered so far, if any, as one chunk. */
  private async writeGathered(): Promise<void> {
    if (this.small.empty) return;
    await this.sink.write(this.small.take());
    if (this.sink.releasesChunks) this.small.returned();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private async flushed(): Promise<void> {
    while (this.draining) await this.draining;
    this.throwIfFailed();
  }

  /**
   * Writes the footer (manifest and frame index) and trailer, and commits the
   * sink. Every opened stream must have ended.
   */
  async finish(input: ManifestInput): Promise<ArchiveResult> {
    if (this.state !== 'open') throw new StowageError('writer-closed', `archive is already ${this.state}`);
    this.state = 'finishing';
    try {
      // Ended is not yet closed: a stream's close frame may still be queued (it is recorded once written).
      await this.flushed();
      const unfinished = [...this.openStreams.values()].map((s) => s.name);
      if (unfinished.length) {
        throw new StowageError(
          'streams-open',
          `cannot finish archive: streams not ended: ${unfinished.join(', ')}`,
        );
      }
      // Checked and put in the schema's order without its streams, which the records write themselves.
      const manifest = await manifestSchemas.parseInOrder('Manifest', {
        ...input,
        formatVersion: FORMAT_VERSION,
        encrypted: this.encrypted,
        streams: [],
      });
      const records = this.records;
      // The same members in the same order, the lists given as their text.
      const footer = {
        manifest: { ...manifest, streams: records.streamsText() },
        index: records.indexText(),
      } as unknown as Footer;
      const footerOffset = this.offset;
      // Serialized and compressed in pieces on this thread, a frame written as soon as it is full:
      // the manifest of a schema with thousands of tables is tens of MiB of JSON, and never exists
      // whole as text or bytes.
      let footerFrames = 0;
      let split = false;
      const text = footerText(footer, (rawBefore) => {
        // Without the member, the footer ends with one more byte (its `}`): split already, or never.
        split = rawBefore + 1 > this.footerLimits.frameRaw;
        return split ? `,"formatVersion":${SPLIT_FOOTER_VERSION}` : '';
      });
      for (const frame of this.encodeFooter(text)) {
        await this.sink.write(frame);
        this.offset += frame.length;
        footerFrames++;
      }
      if (split !== footerFrames > 1) {
        throw new StowageError(
          'internal',
          `footer of ${footerFrames} frames said split=${split} (a stowage bug)`,
        );
      }
      this.ordinal += footerFrames;
      const footerLength = this.offset - footerOffset;
      // A footer in one frame is a version 2 tail, byte for byte: only a split one needs a newer reader.
      const version = split ? SPLIT_FOOTER_VERSION : FORMAT_VERSION;
      manifest.formatVersion = version;
      withStreamsWhenRead(manifest, records);
      await this.sink.write(encodeTrailer({ footerOffset, footerLength, version }));
      this.offset += 32;
      await this.sink.commit();
      this.state = 'done';
      return { manifest, bytes: this.offset, location: this.sink.location };
    } catch (err) {
      await this.abort();
      throw err;
    } finally {
      await this.codec.close();
    }
  }

  /** The footer's frames, ordinals from the writer's next; it advances past them once they are written. */
  private *encodeFooter(text: Iterable<Buffer>): Generator<Buffer> {
    const ident: FrameIdentity = {
      type: FrameType.Footer,
      streamId: 0,
      ordinal: this.ordinal,
      sequence: 0,
    };
    try {
      yield* this.codec.encodePieces(ident, text, this.footerLimits);
    } catch (err) {
      if (!(err instanceof FrameTooLargeError)) throw err;
      // Readers cannot parse a footer this large: better no archive than one that cannot be read.
      throw new StowageError(
        'manifest-too-large',
        `the archive's manifest (schema and stream list) would exceed the ${formatMiB(err.maxRaw)} that readers accept`,
        'back up fewer schemas or tables per archive (--schema, --table)',
      );
    }
  }

  /** Discards the archive: the sink removes whatever was written. */
  async abort(): Promise<void> {
    if (this.state === 'done' || this.state === 'aborted') return;
    this.state = 'aborted';
    this.failure ??= new StowageError('interrupted', 'archive aborted');
    for (const wake of this.capacityWaiters.splice(0)) wake();
    await this.draining?.catch(() => {});
    await this.sink.abort();
    await this.codec.close();
  }
}

/** Raw bytes of the footer's text handed to the frame encoder at a time. */
const FOOTER_PIECE_SIZE = 256 * 1024;

/**
 * The footer's JSON text in pieces, and at its end the member `lastMember`
 * gives, told how many UTF-8 bytes came before it.
 *
 * The manifest's `formatVersion` is written first, before anyone knows whether
 * the footer will need more than one frame, and says 2. A split footer says 3
 * in a last member of the footer, `"formatVersion": 3`, that the reader puts
 * in the manifest (docs/FORMAT.md): by then every byte but the footer's `}` has
 * been taken by the frame encoder (the pieces are pulled one at a time), so
 * whether it is split is known without a second pass. A footer that fits one
 * frame gets no such member: byte for byte what earlier releases wrote.
 */
function* footerText(footer: Footer, lastMember: (rawBefore: number) => string): Generator<Buffer> {
  let rawBefore = 0;
  let held: Buffer | undefined;
  // The pieces are made in one buffer and held back in another, each filled again for the next:
  // the frame encoder uses a piece before it asks for the next (a new buffer per piece left as
  // many MiB of buffers to collect as the footer has, and they stayed in RSS once freed).
  let spare = Buffer.allocUnsafeSlow(FOOTER_PIECE_SIZE);
  for (const piece of jsonPieceBytes(footer, FOOTER_PIECE_SIZE, true)) {
    if (held !== undefined) {
      rawBefore += held.length;
      yield held;
    }
    if (piece.length > spare.length) spare = Buffer.allocUnsafeSlow(piece.length);
    held = spare.subarray(0, piece.copy(spare));
  }
  // The last piece ends with the footer's closing brace: the member goes before it.
  const body = held === undefined ? Buffer.alloc(0) : held.subarray(0, -1);
  rawBefore += body.length;
  yield body;
  yield Buffer.from(`${lastMember(rawBefore)}}`, 'utf8');
}

/**
 * The finished manifest's `streams`, made from the records the first time
 * they are read: a backup's summary reads them after the footer is written, so
 * the footer is never written with 20,000 entry objects alive beside it.
 */
function withStreamsWhenRead(manifest: Manifest, records: StreamRecords): void {
  Object.defineProperty(manifest, 'streams', {
    configurable: true,
    enumerable: true,
    get(): StreamEntry[] {
      const streams = [...records.entries()];
      Object.defineProperty(manifest, 'streams', {
        value: streams,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return streams;
    },
    set(streams: StreamEntry[]) {
      Object.defineProperty(manifest, 'streams', {
        value: streams,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    },
  });
}

/** Data and footer frames share the format's bounds: a whole number of bytes, 1 KiB to MAX_FRAME_SIZE. */
function checkedFrameSize(what: string, bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < MIN_FRAME_SIZE || bytes > MAX_FRAME_SIZE) {
    throw new UsageError(`${what} must be between 1 KiB and ${formatMiB(MAX_FRAME_SIZE)}, got ${bytes}`);
  }
  return bytes;
}

function formatMiB(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))} MiB`;
}
