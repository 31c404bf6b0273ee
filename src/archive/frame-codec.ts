import { crc32 } from 'node:zlib';
import { Compressor, Decompressor } from 'zstd-napi';
import {
  Codec,
  encodeFrameHeader,
  FRAME_CRC_SIZE,
  FRAME_HEADER_SIZE,
  type FrameHeader,
  type FrameType,
  frameAad,
} from './format.js';
import { openFrame, sealFrame } from './keys.js';

/**
 * Turning raw bytes into a stored frame and back: compress, encrypt, checksum.
 * Pure functions over buffers, so they run the same on the main thread and in
 * the codec worker threads.
 */

/** Compression level 1–19, or 'none' to store frames uncompressed. */
export type CompressionLevel = number | 'none';

export interface FrameIdentity {
  type: FrameType;
  streamId: number;
  ordinal: number;
  sequence: number;
}

const compressors = new Map<number, Compressor>();
let decompressor: Decompressor | undefined;

function compressorFor(level: number): Compressor {
  let c = compressors.get(level);
  if (!c) {
    c = new Compressor();
    // No zstd checksum or size header: the frame header carries the raw length and a CRC already.
    c.setParameters({ compressionLevel: level, checksumFlag: false, contentSizeFlag: true });
    compressors.set(level, c);
  }
  return c;
}

/** Builds a complete frame: header, stored payload, payload CRC. */
export function encodeFrame(
  id: FrameIdentity,
  raw: Uint8Array,
  level: CompressionLevel,
  key: Buffer | undefined,
): Buffer {
  let codec = Codec.None;
  let body: Uint8Array = raw;
  if (level !== 'none' && raw.length > 0) {
    const packed = compressorFor(level).compress(raw);
    // Incompressible data (random bytes, already-compressed blobs) is stored as is: never larger than raw.
    if (packed.length < raw.length) {
      codec = Codec.Zstd;
      body = packed;
    }
  }
  const header: FrameHeader = { ...id, codec, rawLength: raw.length, storedLength: 0 };
  const stored = key ? sealFrame(key, id.ordinal, frameAad(header), body) : body;
  header.storedLength = stored.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + stored.length + FRAME_CRC_SIZE);
  encodeFrameHeader(header, frame);
  frame.set(stored, FRAME_HEADER_SIZE);
  frame.writeUInt32LE(crc32(stored), FRAME_HEADER_SIZE + stored.length);
  return frame;
}

export type DecodeProblem =
  | 'checksum mismatch'
  | 'authentication failed'
  | 'decompression failed'
  | 'length mismatch';

/**
 * Recovers a frame's raw bytes from its stored payload and trailing CRC.
 * Returns a problem instead of bytes when anything does not check out: wrong
 * bytes are never returned.
 */
export function decodeFrame(
  header: FrameHeader,
  stored: Uint8Array,
  storedCrc: number,
  key: Buffer | undefined,
): Buffer | DecodeProblem {
  if (crc32(stored) !== storedCrc) return 'checksum mismatch';
  let body: Uint8Array = stored;
  if (key) {
    const opened = openFrame(key, header.ordinal, frameAad(header), stored);
    if (!opened) return 'authentication failed';
    body = opened;
  }
  let raw: Buffer;
  if (header.codec === Codec.Zstd) {
    try {
      decompressor ??= new Decompressor();
      raw = decompressor.decompress(body);
    } catch {
      return 'decompression failed';
    }
  } else {
    raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }
  if (raw.length !== header.rawLength) return 'length mismatch';
  return raw;
}
