import { crc32 } from 'node:zlib';
import { loadZstdBinding, type ZstdBinding } from './zstd-binding.js';

// The low-level binding (a CommonJS native module, so no named imports): it can compress into a
// caller's buffer, which the high-level Compressor cannot.
const { CCtx, CParameter, DCtx, EndDirective, ResetDirective, compressBound, cStreamOutSize } =
  await loadZstdBinding();
type CCtx = InstanceType<ZstdBinding['CCtx']>;
type DCtx = InstanceType<ZstdBinding['DCtx']>;

import {
  Codec,
  encodeFrameHeader,
  FRAME_CRC_SIZE,
  FRAME_HEADER_SIZE,
  type FrameHeader,
  type FrameType,
  frameAad,
  MAX_FRAME_SIZE,
} from './format.js';
import { openFrame, sealFrame } from './keys.js';

/**
 * Turning raw bytes into a stored frame and back: compress, encrypt, checksum.
 * Pure functions over buffers, so they run the same on the main thread and in
 * the codec worker threads.
 */

/** Compression level 1–19, or 'none' to store frames uncompressed. */
export type CompressionLevel = number | 'none';

/**
 * The writer's level when none is given: the fastest. Backups pick their level
 * per engine (`DEFAULT_COMPRESSION_BY_ENGINE` in ops/backup.ts), from measurements.
 */
export const DEFAULT_COMPRESSION: CompressionLevel = 1;

export interface FrameIdentity {
  type: FrameType;
  streamId: number;
  ordinal: number;
  sequence: number;
}

/**
 * One compression context per level and one scratch buffer per thread, reused
 * for every frame: allocating a context or a 2 MiB output buffer per frame is
 * what made memory grow with throughput.
 */
const contexts = new Map<number, CCtx>();
let scratch: Buffer | undefined;
let dctx: DCtx | undefined;

function contextFor(level: number): CCtx {
  let cctx = contexts.get(level);
  if (!cctx) {
    cctx = new CCtx();
    cctx.setParameter(CParameter.compressionLevel, level);
    // No zstd checksum: the frame's CRC and the stream's SHA-256 cover the bytes already.
    cctx.setParameter(CParameter.checksumFlag, 0);
    cctx.setParameter(CParameter.contentSizeFlag, 1);
    contexts.set(level, cctx);
  }
  return cctx;
}

/** Compresses into the thread's scratch buffer; undefined when zstd does not make the frame smaller. */
function compressFrame(raw: Uint8Array, level: number): Buffer | undefined {
  const bound = compressBound(raw.length);
  if (!scratch || scratch.length < bound) scratch = Buffer.allocUnsafeSlow(bound);
  const written = contextFor(level).compress2(scratch, raw);
  return written < raw.length ? scratch.subarray(0, written) : undefined;
}

/**
 * Size of an output buffer that holds any unencrypted frame of up to `rawLength`
 * raw bytes, compressed or not: the writer recycles buffers of this size.
 */
export function frameCapacity(rawLength: number): number {
  return FRAME_HEADER_SIZE + compressBound(rawLength) + FRAME_CRC_SIZE;
}

/**
 * Builds a complete frame: header, stored payload, payload CRC.
 *
 * With `out` (at least {@link frameCapacity} bytes) and no key, the frame is
 * built inside `out` and returned as a view of it: zstd compresses straight
 * into place, and a writer that recycles `out` allocates nothing per frame.
 * Otherwise the frame gets a buffer of its own.
 */
export function encodeFrame(
  id: FrameIdentity,
  raw: Uint8Array,
  level: CompressionLevel,
  key: Buffer | undefined,
  out?: Buffer,
): Buffer {
  if (out && !key && out.length >= frameCapacity(raw.length)) return encodeInto(id, raw, level, out);
  let codec = Codec.None;
  let body: Uint8Array = raw;
  if (level !== 'none' && raw.length > 0) {
    const packed = compressFrame(raw, level);
    // Incompressible data (random bytes, already-compressed blobs) is stored as is: never larger than raw.
    if (packed) {
      codec = Codec.Zstd;
      body = packed;
    }
  }
  return frameOf(id, codec, raw.length, body, key);
}

function encodeInto(id: FrameIdentity, raw: Uint8Array, level: CompressionLevel, out: Buffer): Buffer {
  let codec = Codec.None;
  let storedLength = raw.length;
  if (level !== 'none' && raw.length > 0) {
    const room = out.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + compressBound(raw.length));
    const written = contextFor(level).compress2(room, raw);
    // Incompressible data is stored as is, exactly as encodeFrame does.
    if (written < raw.length) {
      codec = Codec.Zstd;
      storedLength = written;
    }
  }
  if (codec === Codec.None) out.set(raw, FRAME_HEADER_SIZE);
  encodeFrameHeader({ ...id, codec, rawLength: raw.length, storedLength }, out);
  const stored = out.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + storedLength);
  out.writeUInt32LE(crc32(stored), FRAME_HEADER_SIZE + storedLength);
  return out.subarray(0, FRAME_HEADER_SIZE + storedLength + FRAME_CRC_SIZE);
}

/**
 * Builds a frame from text handed over in pieces (see json-pieces.ts), without
 * ever holding the whole raw text: each piece is compressed as it comes, and
 * only the compressed payload is kept. For the footer, whose manifest can be
 * tens of MiB: as one string, then one buffer, then compressed, it took about
 * three times its size at once.
 *
 * The payload is one zstd frame written by streaming, so its header carries no
 * content size; readers decompress it into the raw length the frame header
 * gives, as any other frame. Throws when the raw text exceeds `maxRaw`.
 */
export function encodeFrameFromPieces(
  id: FrameIdentity,
  pieces: Iterable<string>,
  level: CompressionLevel,
  key: Buffer | undefined,
  maxRaw = MAX_FRAME_SIZE,
): Buffer {
  const parts: Buffer[] = [];
  let rawLength = 0;
  const take = (piece: string): Buffer => {
    const bytes = Buffer.from(piece, 'utf8');
    rawLength += bytes.length;
    if (rawLength > maxRaw) throw new FrameTooLargeError(rawLength, maxRaw);
    return bytes;
  };
  if (level === 'none') {
    for (const piece of pieces) parts.push(take(piece));
  } else {
    const cctx = contextFor(level);
    const out = Buffer.allocUnsafe(cStreamOutSize());
    const feed = (input: Buffer, end: boolean) => {
      let at = 0;
      for (;;) {
        const [left, produced, consumed] = cctx.compressStream2(
          out,
          input.subarray(at),
          end ? EndDirective.end : EndDirective.continue,
        );
        at += consumed;
        if (produced > 0) parts.push(Buffer.from(out.subarray(0, produced)));
        if (end ? left === 0 : at === input.length) return;
      }
    };
    try {
      for (const piece of pieces) feed(take(piece), false);
      feed(Buffer.alloc(0), true);
    } catch (err) {
      // The shared context is mid-frame: start its next frame afresh.
      cctx.reset(ResetDirective.sessionOnly);
      throw err;
    }
  }
  const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  parts.length = 0;
  const codec = level === 'none' ? Codec.None : Codec.Zstd;
  return frameOf(id, codec, rawLength, body, key);
}

/** The frame around a payload already encoded with `codec`: header, the payload (sealed with `key`), CRC. */
function frameOf(
  id: FrameIdentity,
  codec: Codec,
  rawLength: number,
  body: Uint8Array,
  key: Buffer | undefined,
): Buffer {
  const header: FrameHeader = { ...id, codec, rawLength, storedLength: 0 };
  const stored = key ? sealFrame(key, id.ordinal, frameAad(header), body) : body;
  header.storedLength = stored.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + stored.length + FRAME_CRC_SIZE);
  encodeFrameHeader(header, frame);
  frame.set(stored, FRAME_HEADER_SIZE);
  frame.writeUInt32LE(crc32(stored), FRAME_HEADER_SIZE + stored.length);
  return frame;
}

/** A frame's raw bytes would exceed what readers accept (see {@link encodeFrameFromPieces}). */
export class FrameTooLargeError extends Error {
  constructor(
    readonly rawLength: number,
    readonly maxRaw: number,
  ) {
    super(`frame of more than ${maxRaw} raw bytes`);
    this.name = 'FrameTooLargeError';
  }
}

export type DecodeProblem =
  | 'checksum mismatch'
  | 'authentication failed'
  | 'decompression failed'
  | 'length mismatch';

/**
 * Recovers a frame's raw bytes from its stored payload and trailing CRC.
 * Returns a problem instead of bytes when anything does not check out: wrong
 * bytes are never returned. A compressed frame is decompressed into `out` when
 * it is large enough (the reader recycles such buffers), else into a new one.
 */
export function decodeFrame(
  header: FrameHeader,
  stored: Uint8Array,
  storedCrc: number,
  key: Buffer | undefined,
  out?: Buffer,
): Buffer | DecodeProblem {
  if (crc32(stored) !== storedCrc) return 'checksum mismatch';
  let body: Uint8Array = stored;
  if (key) {
    const opened = openFrame(key, header.ordinal, frameAad(header), stored);
    if (!opened) return 'authentication failed';
    body = opened;
  }
  if (header.rawLength > MAX_FRAME_SIZE) return 'length mismatch';
  let raw: Buffer;
  if (header.codec === Codec.Zstd) {
    // The header says how large the frame is: decompress straight into a buffer of that size.
    raw =
      out && out.length >= header.rawLength
        ? out.subarray(0, header.rawLength)
        : Buffer.allocUnsafeSlow(header.rawLength);
    try {
      dctx ??= new DCtx();
      if (dctx.decompress(raw, body) !== header.rawLength) return 'length mismatch';
    } catch {
      return 'decompression failed';
    }
  } else {
    raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }
  if (raw.length !== header.rawLength) return 'length mismatch';
  return raw;
}
