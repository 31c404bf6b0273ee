import { crc32 } from 'node:zlib';
import { loadZstdBinding, type ZstdBinding } from './zstd-binding.js';

// The low-level binding (a CommonJS native module, so no named imports): it can compress into a
// caller's buffer, which the high-level Compressor cannot.
const { CCtx, CParameter, DCtx, EndDirective, ResetDirective, compressBound, cStreamOutSize } =
  loadZstdBinding();
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

/** How much text a footer may hold: per frame, and in all its frames. */
export interface PieceLimits {
  /** Raw bytes per frame; the text goes on in another frame past this. */
  frameRaw: number;
  /** Raw bytes in all; FrameTooLargeError past this. */
  totalRaw: number;
}

/**
 * Builds frames from UTF-8 text handed over in pieces (see json-pieces.ts), without
 * ever holding the whole raw text: each piece is compressed as it comes, and
 * only the compressed payload of the frame being built is kept. For the
 * footer, whose manifest can be hundreds of MiB: as one string, then one
 * buffer, then compressed, it took about three times its size at once.
 *
 * Text of up to `limits.frameRaw` bytes is one frame with `first`'s identity.
 * Longer text goes on in further frames, each handed out as soon as it is
 * full: ordinals follow `first`'s, sequences count 1, 2, … (see docs/FORMAT.md,
 * "Footer"). Frames end on a UTF-8 character boundary, so each frame's text
 * decodes on its own. Each payload is one zstd frame written by streaming, so
 * its header carries no content size; readers decompress it into the raw
 * length the frame header gives, as any other frame. Throws
 * FrameTooLargeError when the text exceeds `limits.totalRaw`. A piece is used
 * (compressed, or copied when stored as it is) before the next is asked for, so
 * the caller may fill the same buffer again for it.
 */
export function* encodeFramesFromPieces(
  first: FrameIdentity,
  pieces: Iterable<Buffer>,
  level: CompressionLevel,
  key: Buffer | undefined,
  limits: PieceLimits = { frameRaw: MAX_FRAME_SIZE, totalRaw: MAX_FRAME_SIZE },
): Generator<Buffer> {
  const codec = level === 'none' ? Codec.None : Codec.Zstd;
  const cctx = level === 'none' ? undefined : contextFor(level);
  const out = cctx ? Buffer.allocUnsafe(cStreamOutSize()) : undefined;
  let parts: Buffer[] = [];
  let frames = 0;
  let frameRaw = 0;
  let totalRaw = 0;
  const add = (input: Buffer, end = false) => {
    frameRaw += input.length;
    if (!cctx) {
      parts.push(Buffer.from(input));
      return;
    }
    let at = 0;
    for (;;) {
      const [left, produced, consumed] = cctx.compressStream2(
        out!,
        input.subarray(at),
        end ? EndDirective.end : EndDirective.continue,
      );
      at += consumed;
      if (produced > 0) parts.push(Buffer.from(out!.subarray(0, produced)));
      if (end ? left === 0 : at === input.length) return;
    }
  };
  const frame = (): Buffer => {
    if (cctx) add(Buffer.alloc(0), true);
    const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const rawLength = frameRaw;
    parts = [];
    frameRaw = 0;
    const sequence = frames++;
    return frameOf({ ...first, ordinal: first.ordinal + sequence, sequence }, codec, rawLength, body, key);
  };
  let done = false;
  try {
    for (const piece of pieces) {
      let bytes = piece;
      totalRaw += bytes.length;
      if (totalRaw > limits.totalRaw) throw new FrameTooLargeError(totalRaw, limits.totalRaw);
      while (frameRaw + bytes.length > limits.frameRaw) {
        const cut = characterStart(bytes, limits.frameRaw - frameRaw);
        if (cut > 0) add(bytes.subarray(0, cut));
        yield frame();
        bytes = bytes.subarray(cut);
      }
      if (bytes.length > 0) add(bytes);
    }
    const last = frame();
    done = true;
    yield last;
  } finally {
    // Failed or abandoned mid-frame: the shared context must start its next frame afresh.
    if (!done && cctx) cctx.reset(ResetDirective.sessionOnly);
  }
}

/** The greatest index at most `at` where a UTF-8 character starts (a byte that is not 10xxxxxx). */
function characterStart(bytes: Buffer, at: number): number {
  let i = at;
  while (i > 0 && (bytes[i]! & 0xc0) === 0x80) i--;
  return i;
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

/** A footer's raw text would exceed what readers accept (see {@link encodeFramesFromPieces}). */
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
 * A frame's payload once its CRC (and, with a key, its authentication) checks out, decrypted;
 * or the problem. Nothing of a frame is decompressed before this.
 */
function checkedBody(
  header: FrameHeader,
  stored: Uint8Array,
  storedCrc: number,
  key: Buffer | undefined,
): Uint8Array | DecodeProblem {
  if (crc32(stored) !== storedCrc) return 'checksum mismatch';
  let body: Uint8Array = stored;
  if (key) {
    const opened = openFrame(key, header.ordinal, frameAad(header), stored);
    if (!opened) return 'authentication failed';
    body = opened;
  }
  if (header.rawLength > MAX_FRAME_SIZE) return 'length mismatch';
  return body;
}

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
  const body = checkedBody(header, stored, storedCrc, key);
  if (typeof body === 'string') return body;
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

/** Raw bytes handed out at a time by {@link decodeFrameInChunks}. */
const CHUNK_SIZE = 256 * 1024;

/**
 * {@link decodeFrame} for a consumer that takes the raw bytes piece by piece (the footer's JSON):
 * the frame is never decompressed whole. The CRC, and the key's authentication, are checked before
 * the first byte is handed out; `take` gets views of one reused buffer, valid until it returns.
 * Returns a problem when anything does not check out; the bytes handed out until then are to be
 * thrown away.
 */
export function decodeFrameInChunks(
  header: FrameHeader,
  stored: Uint8Array,
  storedCrc: number,
  key: Buffer | undefined,
  take: (chunk: Buffer) => void,
): DecodeProblem | undefined {
  const body = checkedBody(header, stored, storedCrc, key);
  if (typeof body === 'string') return body;
  if (header.codec !== Codec.Zstd) {
    if (body.byteLength !== header.rawLength) return 'length mismatch';
    for (let at = 0; at < body.byteLength; at += CHUNK_SIZE) {
      take(Buffer.from(body.buffer, body.byteOffset + at, Math.min(CHUNK_SIZE, body.byteLength - at)));
    }
    return undefined;
  }
  const out = Buffer.allocUnsafe(Math.min(CHUNK_SIZE, Math.max(header.rawLength, 1)));
  // The thread's one context, as decodeFrame's: a new one per footer cost every archive opened.
  // Reset first: a frame that failed part way left it inside that frame.
  dctx ??= new DCtx();
  const stream = dctx;
  stream.reset(ResetDirective.sessionOnly);
  let produced = 0;
  let at = 0;
  for (;;) {
    let left: number;
    let written: number;
    let consumed: number;
    try {
      [left, written, consumed] = stream.decompressStream(out, body.subarray(at));
    } catch {
      return 'decompression failed';
    }
    at += consumed;
    produced += written;
    if (produced > header.rawLength) return 'length mismatch';
    // Outside the try: what the consumer throws is its own, not a decompression failure.
    if (written > 0) take(out.subarray(0, written));
    // 0: a zstd frame is complete and flushed; decodeFrame's one-shot call reads on into any next one.
    if (left === 0 && at === body.length) break;
    if (written === 0 && consumed === 0 && left !== 0) return 'decompression failed';
  }
  if (at !== body.length || produced !== header.rawLength) return 'length mismatch';
  return undefined;
}
