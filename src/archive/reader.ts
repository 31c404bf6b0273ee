import { Readable } from 'node:stream';
import type { StreamReaderSet, StreamSummary } from '../engines/engine.js';
import {
  CorruptArchiveError,
  CorruptFrameError,
  StowageError,
  TruncatedArchiveError,
  UnsupportedVersionError,
} from '../errors.js';
import { longStep } from '../long-step.js';
import { archiveKeys, type Encryption } from './archive-keys.js';
import { BufferPool } from './buffer-pool.js';
import type { ByteSource } from './byte-source.js';
import { createFrameCodec, type FrameCodec } from './codec-pool.js';
import { FooterLayoutError, storedFooterFrames } from './footer-frames.js';
import {
  Codec,
  decodeFrameHeader,
  decodeTrailer,
  FRAME_HEADER_SIZE,
  FrameType,
  frameTotalSize,
  type Header,
  MAX_FOOTER_SIZE,
  MAX_FRAME_SIZE,
  NEWEST_TRAILER_VERSION,
  SPLIT_FOOTER_VERSION,
  TRAILER_SIZE,
  type Trailer,
} from './format.js';
import { decodeFrame, decodeFrameInChunks } from './frame-codec.js';
import { type FrameIndex, type IndexedStream, PackedFrameIndex, ParsedFrameIndex } from './frame-index.js';
import { FrameWindows } from './frame-windows.js';
import { readHeader } from './header-read.js';
import { type ArrayItems, JsonAssembler } from './json-assembler.js';
import { type Footer, type Manifest, manifestSchemas, type StreamEntry } from './manifest.js';
import { incompleteStreams, scanArchive } from './scan.js';
import { createStreamDigest, digestName, recordedDigest, requireDigest } from './stream-digest.js';

export interface ArchiveReaderOptions {
  /** The passphrase or key, or an operation's key cache (see {@link ArchiveKeys}). */
  encryption?: Encryption;
  /**
   * Codec worker threads for decrypting encrypted archives (default: one per
   * core, 0 = inline). Unencrypted frames are always decompressed inline:
   * measured here, worker hops made reading slower and costlier in memory.
   */
  threads?: number;
  /** Bytes decrypted inline before the codec threads start (default: inlineFirstBytes); lower only in tests. */
  inlineFirst?: number;
  /** Frames read ahead per open stream. */
  prefetch?: number;
  /** What the footer's long lists are kept as, as they are parsed (see {@link ArrayItems}); by default as parsed. */
  footerItems?: ArrayItems;
}

/**
 * Reads a finished .stow archive through its footer: the manifest comes from
 * the tail alone, and any stream can be opened (and several at once) without
 * reading the others. Every frame is verified before its bytes are handed out,
 * and each stream's digest is checked at its end.
 */
/** Recycled raw frame buffers kept at most: a few per stream being restored at once. */
const MAX_SPARE_RAW = 8;

export class ArchiveReader implements StreamReaderSet {
  private codec: FrameCodec | undefined;
  private entriesByName: Map<string, Manifest['streams'][number]> | undefined;
  /** Small frames read several at a time (built on the first frame read). */
  private windows: FrameWindows | undefined;
  /** Raw frame buffers handed back by the consumer (see recycle()); sized by the largest frame seen. */
  private readonly rawBuffers = new BufferPool(0, MAX_SPARE_RAW);

  private constructor(
    private readonly source: ByteSource,
    readonly header: Header,
    private readonly key: Buffer | undefined,
    private readonly footer: Footer,
    private readonly frameIndex: FrameIndex,
    private readonly options: ArchiveReaderOptions,
  ) {}

  /**
   * Opens an archive: header, key check, trailer, footer. When the tail is
   * missing or damaged, scans from the front to say exactly which streams are
   * incomplete.
   */
  static async open(source: ByteSource, options: ArchiveReaderOptions = {}): Promise<ArchiveReader> {
    // The reader owns the source from here on: it closes it on failure, or in close().
    try {
      return await ArchiveReader.openOwned(source, options);
    } catch (err) {
      await source.close().catch(() => {});
      throw err;
    }
  }

  private static async openOwned(source: ByteSource, options: ArchiveReaderOptions): Promise<ArchiveReader> {
    // One cache for the header and the recovery scan below: the key is derived once.
    const keys = archiveKeys(options.encryption);
    const { header, key } = await readHeader(source, keys);
    const { footer, index } = await readFooter(source, key, options.footerItems).catch(async (err) => {
      if (!(err instanceof TailProblem)) throw err;
      const report = await scanArchive(source, keys);
      const incomplete = incompleteStreams(report);
      if (
        report.footerFound &&
        report.footerEnd !== undefined &&
        !report.stoppedAt &&
        incomplete.length === 0
      ) {
        throw await tailDamage(source, report.footerEnd);
      }
      const where = report.stoppedAt
        ? ` (${report.stoppedAt.reason} at offset ${report.stoppedAt.offset})`
        : '';
      throw new TruncatedArchiveError(
        incomplete,
        incomplete.length === 0
          ? `${report.streams.length} streams complete but the footer is missing${where}`
          : `footer missing${where}`,
      );
    });
    // A split footer says its version after the manifest, which was written before the split was known.
    if (footer.formatVersion !== undefined) footer.manifest.formatVersion = footer.formatVersion;
    return new ArchiveReader(source, header, key, footer, index, options);
  }

  get manifest(): Manifest {
    return this.footer.manifest;
  }

  get location(): string {
    return this.source.location;
  }

  /** The archive file's size in bytes, as `stowage list` shows it. */
  get archiveBytes(): number {
    return this.source.size;
  }

  list(): StreamSummary[] {
    return this.manifest.streams.map((s) => ({ name: s.name, items: s.items, rawBytes: s.rawBytes }));
  }

  /**
   * Takes back a chunk that a stream handed out, once the consumer is done
   * with it for good, so the next frame is decompressed into it instead of a
   * new buffer: a restore that hands every chunk back allocates nothing per
   * frame. Chunks that are not whole frame buffers are ignored.
   */
  recycle(chunk: Buffer): void {
    this.rawBuffers.give(chunk);
  }

  /** A buffer for a frame of `rawLength` bytes: a recycled one, or a new one of the common frame size. */
  private rawBuffer(rawLength: number): Buffer {
    // Frames of one archive share a size (only each stream's last is shorter): the first full one sets it.
    this.rawBuffers.growTo(rawLength);
    return this.rawBuffers.take();
  }

  /**
   * Opens one stream's raw bytes, `prefetch` frames read ahead (default: the
   * reader's option). The readable errors on the first frame that does not verify.
   */
  open(name: string, prefetch = this.options.prefetch): Readable {
    return Readable.from(this.chunks(name, prefetch), { objectMode: false, highWaterMark: 1 });
  }

  /**
   * One stream's raw bytes as {@link open} reads them (the same checks, the
   * same errors), as an async generator of its frames: for a reader that takes
   * each chunk in turn and needs no stream (a restore of thousands of small
   * tables, where a `Readable` per table was garbage enough to matter). Its
   * `return()` stops it.
   */
  chunks(name: string, prefetch = this.options.prefetch): AsyncGenerator<Buffer> {
    // By name through maps: a search of the lists per stream was quadratic (20,000 tables: 13 s).
    this.entriesByName ??= new Map(this.manifest.streams.map((s) => [s.name, s]));
    const entry = this.entriesByName.get(name);
    const index = this.frameIndex.get(name);
    if (!entry || !index) throw new StowageError('missing-stream', `archive has no stream named ${name}`);
    this.codec ??= createFrameCodec({
      threads: this.options.threads,
      level: 'none',
      key: this.key,
      inlineFirst: this.options.inlineFirst,
    });
    return this.frames(entry, index, this.codec, prefetch);
  }

  /**
   * The streams with `prefetch` frames read ahead each: one opened archive
   * serves a restore (the engine's read-ahead) and a comparison after it.
   * Throws `native-addon` when the streams' digests cannot be checked here.
   */
  withReadAhead(prefetch: number | undefined): StreamReaderSet {
    // A restore takes this set before it writes anything: a hasher that cannot load here is said now,
    // not after the schema was applied (each stream's digest is checked as it is read).
    if (this.manifest.streams.some((s) => s.blake3 !== undefined)) requireDigest('blake3');
    return {
      list: () => this.list(),
      open: (name) => this.open(name, prefetch ?? this.options.prefetch),
      chunks: (name) => this.chunks(name, prefetch ?? this.options.prefetch),
      recycle: (chunk) => this.recycle(chunk),
    };
  }

  private async *frames(
    entry: StreamEntry,
    index: IndexedStream,
    codec: FrameCodec,
    readAhead: number | undefined,
  ): AsyncGenerator<Buffer> {
    const prefetch = Math.max(1, readAhead ?? 4);
    const recorded = recordedDigest(entry);
    const hash = createStreamDigest(recorded.algorithm);
    let rawBytes = 0;
    const window: Promise<Buffer>[] = [];
    let next = 0;
    const load = (sequence: number): Promise<Buffer> => {
      const p = this.readDataFrame(
        entry.name,
        index.streamId,
        sequence,
        index.frames[sequence]!,
        index.sizes[sequence]!,
        index.crcs?.[sequence],
        codec,
      );
      p.catch(() => {}); // awaited in order below; this keeps a later failure from surfacing as unhandled first
      return p;
    };
    while (next < index.frames.length && window.length < prefetch) window.push(load(next++));
    while (window.length > 0) {
      const raw = await window.shift()!;
      if (next < index.frames.length) window.push(load(next++));
      hash.update(raw);
      rawBytes += raw.length;
      yield raw;
    }
    const lastOffset = index.frames.at(-1) ?? 0;
    if (index.frames.length !== entry.frames || rawBytes !== entry.rawBytes) {
      throw new CorruptFrameError(
        lastOffset,
        entry.name,
        `stream length ${rawBytes} does not match manifest ${entry.rawBytes}`,
      );
    }
    if (hash.hex() !== recorded.hex) {
      throw new CorruptFrameError(
        lastOffset,
        entry.name,
        `stream ${digestName(recorded.algorithm)} does not match the manifest`,
      );
    }
  }

  private async readDataFrame(
    name: string,
    streamId: number,
    sequence: number,
    offset: number,
    size: number,
    indexedCrc: number | undefined,
    codec: FrameCodec,
  ): Promise<Buffer> {
    this.windows ??= new FrameWindows(this.source, indexedFrames(this.frameIndex));
    const bytes = await this.windows.read(offset, size);
    if (bytes.length < size) throw new CorruptFrameError(offset, name, 'archive ends inside the frame');
    const fh = decodeFrameHeader(bytes);
    if (!fh) throw new CorruptFrameError(offset, name, 'frame header checksum mismatch');
    if (
      fh.type !== FrameType.Data ||
      fh.streamId !== streamId ||
      fh.sequence !== sequence ||
      frameTotalSize(fh.storedLength) !== size
    ) {
      throw new CorruptFrameError(offset, name, 'frame does not match the index');
    }
    const storedCrc = bytes.readUInt32LE(FRAME_HEADER_SIZE + fh.storedLength);
    const stored = bytes.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + fh.storedLength);
    const out =
      fh.codec === Codec.Zstd && fh.rawLength <= MAX_FRAME_SIZE ? this.rawBuffer(fh.rawLength) : undefined;
    const raw = await codec.decode(fh, stored, storedCrc, out);
    if (typeof raw === 'string') throw new CorruptFrameError(offset, name, raw);
    if (indexedCrc !== undefined && storedCrc !== indexedCrc) {
      // The payload verifies on its own but is not the one written here: frames exchanged or moved.
      throw new CorruptFrameError(
        offset,
        name,
        `frame ${sequence} holds another frame's data, not the one written there (exchanged, moved or edited)`,
      );
    }
    return raw;
  }

  async close(): Promise<void> {
    await this.codec?.close();
    this.codec = undefined;
    await this.source.close();
  }
}

/** Every data frame the index places: where it is and its total size. */
function* indexedFrames(index: FrameIndex): Generator<{ offset: number; size: number }> {
  for (const stream of index.all()) {
    for (let i = 0; i < stream.frames.length; i++) {
      yield { offset: stream.frames[i] as number, size: stream.sizes[i] as number };
    }
  }
}

/**
 * Every frame up to the footer is intact, yet the tail did not read: the trailer is damaged, or bytes
 * were appended after it. Either way nothing was cut short, so the archive is corrupt, not truncated.
 */
async function tailDamage(source: ByteSource, footerEnd: number): Promise<CorruptArchiveError> {
  const extra = source.size - footerEnd - TRAILER_SIZE;
  const trailer = decodeTrailer(await source.read(footerEnd, TRAILER_SIZE));
  if (extra > 0 && typeof trailer !== 'string') {
    return new CorruptArchiveError(
      `${extra} unexpected bytes after the end of the archive (offset ${footerEnd + TRAILER_SIZE})`,
    );
  }
  return new CorruptArchiveError(`the trailer at offset ${footerEnd} is damaged`);
}

/** The tail is missing or unreadable: the archive is probably truncated, so the caller scans. */
class TailProblem extends Error {}

async function readFooter(
  source: ByteSource,
  key: Buffer | undefined,
  items: ArrayItems | undefined,
): Promise<{ footer: Footer; index: FrameIndex }> {
  if (source.size < TRAILER_SIZE) throw new TailProblem('too short for a trailer');
  const trailer = decodeTrailer(await source.read(source.size - TRAILER_SIZE, TRAILER_SIZE));
  if (trailer === 'magic' || trailer === 'crc') throw new TailProblem(`trailer ${trailer}`);
  const { footerOffset, footerLength } = trailer;
  if (footerOffset + footerLength + TRAILER_SIZE !== source.size || footerLength < FRAME_HEADER_SIZE) {
    throw new TailProblem('trailer points outside the file');
  }
  // The header said a version this reader knows, but the tail is laid out by a newer writer.
  if (trailer.version > NEWEST_TRAILER_VERSION) throw new UnsupportedVersionError(trailer.version);
  // Where the footer is parsed as it is decompressed, its index is kept packed (frame-index.ts).
  let packed: PackedFrameIndex | undefined;
  const packingItems: ArrayItems = (path, holder) => {
    if (path.length !== 1 || path[0] !== 'index') return items?.(path, holder);
    const index = new PackedFrameIndex();
    packed = index;
    return (item) => {
      try {
        return index.add(item);
      } catch (err) {
        throw new CorruptFrameError(
          footerOffset,
          'footer',
          `manifest does not match the schema: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    };
  };
  const parsed = await footerValue(source, trailer, key, footerOffset, items, packingItems);
  // The index's entries were checked as they were packed: the list holds their positions.
  if (packed) (parsed as { index: unknown }).index = [];
  // Valid as it stands (nearly always): used as it is, not copied object by object by zod
  // (a second footer in memory, and most of the footer's read time at 20,000 tables), and
  // checked without loading zod (synchronously, in this step), which only words what is wrong.
  const checked = longStep('checking the footer', () => manifestSchemas.safeParse('Footer', parsed));
  const result = await checked;
  if (!result.success) {
    throw new CorruptFrameError(
      footerOffset,
      'footer',
      `manifest does not match the schema: ${result.error.issues[0]?.message}`,
    );
  }
  return { footer: result.data, index: packed ?? new ParsedFrameIndex(result.data.index) };
}

/** Raw bytes up to which a footer of one frame is parsed in one piece (see footerValue). */
const ONE_PIECE_FOOTER = 16 * 1024 * 1024;

/**
 * A large footer's JSON, parsed as it is decompressed, a frame at a time (a split footer goes on over
 * several frames, see footer-frames.ts): neither its raw bytes nor its text are ever in memory
 * whole (at 20,000 tables each is ~48 MB, and they were alive together with the parsed footer).
 */
async function footerValue(
  source: ByteSource,
  trailer: Trailer,
  key: Buffer | undefined,
  footerOffset: number,
  items: ArrayItems | undefined,
  assemblerItems: ArrayItems,
): Promise<unknown> {
  const json = new JsonAssembler(assemblerItems);
  let rawBytes = 0;
  const notJson = () => new CorruptFrameError(footerOffset, 'footer', 'manifest is not valid JSON');
  try {
    for await (const frame of storedFooterFrames(source, trailer)) {
      // Checked before a byte is parsed, as the frame header says it (the decoding checks the header).
      if (rawBytes + frame.header.rawLength > MAX_FOOTER_SIZE && frame.header.rawLength <= MAX_FRAME_SIZE)
        throw new CorruptFrameError(frame.offset, 'footer', 'footer is larger than any writer makes');
      rawBytes += frame.header.rawLength;
      if (!items && trailer.version < SPLIT_FOOTER_VERSION && frame.header.rawLength <= ONE_PIECE_FOOTER) {
        // A small footer, in one frame: decoded whole and parsed in one call, which costs less CPU
        // (3,000 tables: ~65 ms against ~100) for a few MB that are gone before the restore's peak.
        // Not where the caller keeps the long lists in another form: parsed whole, the list would
        // exist twice, as parsed and as kept (a 3,000-table restore's peak: +7 MiB in session 16).
        const raw = decodeFrame(frame.header, frame.stored, frame.crc, key);
        if (typeof raw === 'string') throw new CorruptFrameError(frame.offset, 'footer', raw);
        return longStep('reading the footer', () => {
          try {
            return JSON.parse(raw.toString('utf8')) as unknown;
          } catch {
            throw notJson();
          }
        });
      }
      const problem = longStep('reading the footer', () =>
        decodeFrameInChunks(frame.header, frame.stored, frame.crc, key, (chunk) => {
          try {
            json.write(chunk);
          } catch (err) {
            // An element the list's keeper refused says why; anything else is the JSON's fault.
            throw err instanceof CorruptFrameError ? err : notJson();
          }
        }),
      );
      if (problem) throw new CorruptFrameError(frame.offset, 'footer', problem);
    }
  } catch (err) {
    if (err instanceof FooterLayoutError) throw new CorruptFrameError(err.offset, 'footer', err.message);
    throw err;
  }
  try {
    return json.end();
  } catch {
    throw notJson();
  }
}
