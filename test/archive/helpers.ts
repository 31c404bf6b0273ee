import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteSink } from '../../src/archive/byte-sink.js';
import type { ByteSource } from '../../src/archive/byte-source.js';
import {
  decodeFrameHeader,
  decodeTrailer,
  FRAME_HEADER_SIZE,
  type FrameType,
  frameTotalSize,
  HEADER_SIZE,
  TRAILER_SIZE,
} from '../../src/archive/format.js';
import type { KeySource } from '../../src/archive/keys.js';
import type { ManifestInput } from '../../src/archive/manifest.js';
import { ArchiveReader, type ArchiveReaderOptions } from '../../src/archive/reader.js';
import { preferredDigest } from '../../src/archive/stream-digest.js';
import { ArchiveWriter, type ArchiveWriterOptions } from '../../src/archive/writer.js';

/** Cheap scrypt for tests: the default cost is ~0.5 s per derivation. */
export const TEST_SCRYPT = { logN: 10, r: 8, p: 1 } as const;

/** A ByteSink that keeps the archive in memory. */
export class MemorySink implements ByteSink {
  readonly chunks: Buffer[] = [];
  committed = false;
  aborted = false;
  readonly location = 'memory://archive.stow';

  /** @param releasesChunks say so (it copies each chunk), which lets the writer recycle frame buffers */
  constructor(readonly releasesChunks = false) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.committed || this.aborted) throw new Error('write after commit/abort');
    this.chunks.push(Buffer.from(chunk));
  }
  async commit(): Promise<void> {
    this.committed = true;
  }
  async abort(): Promise<void> {
    this.aborted = true;
    this.chunks.length = 0;
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** A ByteSource over a buffer that records every read, to prove what the reader touched. */
export class MemorySource implements ByteSource {
  readonly reads: { offset: number; length: number }[] = [];
  closed = false;
  readonly location = 'memory://archive.stow';

  constructor(private readonly data: Buffer) {}

  get size(): number {
    return this.data.length;
  }
  async read(offset: number, length: number): Promise<Buffer> {
    this.reads.push({ offset, length });
    // Yield to the event loop like real I/O does, so concurrency shows in the read order.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return Buffer.from(this.data.subarray(offset, Math.min(offset + length, this.data.length)));
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export function manifestInput(overrides: Partial<ManifestInput> = {}): ManifestInput {
  const now = new Date().toISOString();
  return {
    tool: { name: 'stowage', version: '0.0.0-test' },
    engine: 'postgres',
    serverVersion: '15.0',
    database: 'test',
    source: 'postgres://localhost/test',
    startedAt: now,
    finishedAt: now,
    kind: 'manual',
    pointInTime: true,
    options: {},
    warnings: [],
    schema: { tables: [] },
    ...overrides,
  };
}

/** Deterministic bytes: a small xorshift generator, so failures reproduce from the seed. */
export function pseudoRandom(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Deterministic text-like bytes that compress (rows of words and numbers). */
export function textLike(seed: number, length: number): Buffer {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'row', 'null', 'true', '\\N', 'stowage', 'frame'];
  const noise = pseudoRandom(seed, Math.min(length, 4096) + 1);
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  while (size < length) {
    const n = noise[i % noise.length]!;
    const part = `${i}\t${words[n % words.length]}\t${(n * 7919 + i) % 100000}\n`;
    parts.push(part);
    size += part.length;
    i++;
  }
  return Buffer.from(parts.join('')).subarray(0, length);
}

export type Content = 'text' | 'random' | 'zeros';

export function makeBytes(kind: Content, seed: number, length: number): Buffer {
  switch (kind) {
    case 'text':
      return textLike(seed, length);
    case 'random':
      return pseudoRandom(seed, length);
    case 'zeros':
      return Buffer.alloc(length);
  }
}

export interface StreamSpec {
  name: string;
  data: Buffer;
  /** How the data is cut into writes; defaults to one write. Sizes are clamped to the data. */
  chunkSizes?: number[];
  items?: number;
}

function cut(data: Buffer, chunkSizes: number[] | undefined): Buffer[] {
  if (!chunkSizes || chunkSizes.length === 0) return data.length ? [data] : [];
  const chunks: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const size = Math.max(1, chunkSizes[i++ % chunkSizes.length]!);
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** Writes all streams concurrently (so their frames interleave) and returns the archive bytes. */
export async function writeArchive(
  streams: StreamSpec[],
  options: ArchiveWriterOptions = {},
  sink: MemorySink = new MemorySink(),
): Promise<Buffer> {
  const writer = await ArchiveWriter.create(sink, { threads: 0, scrypt: TEST_SCRYPT, ...options });
  await Promise.all(
    streams.map(async (s) => {
      const w = writer.open(s.name);
      w.itemCount = s.items ?? 0;
      await pipeline(Readable.from(cut(s.data, s.chunkSizes), { objectMode: false }), w);
    }),
  );
  await writer.finish(manifestInput());
  return sink.bytes();
}

export async function collect(readable: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Opens the archive and reads every stream (all at once). */
export async function readArchive(
  bytes: Buffer,
  options: ArchiveReaderOptions = {},
): Promise<{ reader: ArchiveReader; streams: Map<string, Buffer> }> {
  const reader = await ArchiveReader.open(new MemorySource(bytes), { threads: 0, ...options });
  try {
    const names = reader.list().map((s) => s.name);
    const datas = await Promise.all(names.map((n) => collect(reader.open(n))));
    return { reader, streams: new Map(names.map((n, i) => [n, datas[i]!])) };
  } finally {
    await reader.close();
  }
}

export interface WalkedFrame {
  offset: number;
  size: number;
  type: FrameType;
  streamId: number;
  sequence: number;
}

/** The frames of an intact archive, found by walking frame headers (independently of the reader). */
export function walkFrames(bytes: Buffer): WalkedFrame[] {
  const frames: WalkedFrame[] = [];
  let offset = HEADER_SIZE;
  while (offset < bytes.length - TRAILER_SIZE) {
    const fh = decodeFrameHeader(bytes.subarray(offset, offset + FRAME_HEADER_SIZE));
    if (!fh) throw new Error(`bad frame header at ${offset}`);
    const size = frameTotalSize(fh.storedLength);
    frames.push({ offset, size, type: fh.type, streamId: fh.streamId, sequence: fh.sequence });
    offset += size;
  }
  const trailer = decodeTrailer(bytes.subarray(bytes.length - TRAILER_SIZE));
  if (typeof trailer === 'string' || offset !== bytes.length - TRAILER_SIZE)
    throw new Error('archive does not end in a trailer');
  return frames;
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

const { Blake3Hasher } = createRequire(import.meta.url)('@napi-rs/blake-hash') as {
  Blake3Hasher: new () => { update(b: Buffer): unknown; digest(f: 'hex'): string };
};

/** The digest field a writer with default options records for `b` (BLAKE3 where its hasher loads). */
export function expectedDigest(b: Buffer): { blake3?: string; sha256?: string } {
  return preferredDigest() === 'blake3' ? { blake3: blake3Hex(b) } : { sha256: sha256(b) };
}

function blake3Hex(b: Buffer): string {
  const h = new Blake3Hasher();
  h.update(Buffer.from(b));
  return h.digest('hex');
}

export const passphrase = (p = 'correct horse battery staple'): KeySource => ({ passphrase: p });
