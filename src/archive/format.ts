import { crc32 } from 'node:zlib';

/**
 * Byte layout of the .stow format, versions 1 to 3. docs/FORMAT.md is the prose
 * version of this file; keep the two in step. All integers are little-endian.
 */

/**
 * The version new archives are written in. 2: stream digests may be BLAKE3
 * (`blake3` next to `sha256` in the manifest and stream-close frames, and the
 * stream-open frame names the algorithm); the byte layout is version 1's.
 */
export const FORMAT_VERSION = 2;
/** Readers still read version 1 archives (SHA-256 digests). */
export const OLDEST_READABLE_VERSION = 1;

/**
 * Version 3 changes only the tail: the footer goes on over several footer
 * frames when its text is larger than one frame may be. Only the trailer says
 * 3: the header is written before anyone knows how large the footer will be, so
 * it says {@link FORMAT_VERSION}, and an archive whose footer fits one frame is
 * a version 2 archive, byte for byte (see docs/FORMAT.md, "Versioning").
 */
export const SPLIT_FOOTER_VERSION = 3;
/** The newest trailer version readers know; a later one is refused as made by a newer stowage. */
export const NEWEST_TRAILER_VERSION = SPLIT_FOOTER_VERSION;

/** `\x89STOW\r\n\x1a`: the high byte and CR LF catch 7-bit and newline-mangling transfers, like PNG. */
export const HEADER_MAGIC = Buffer.from([0x89, 0x53, 0x54, 0x4f, 0x57, 0x0d, 0x0a, 0x1a]);
export const TRAILER_MAGIC = Buffer.from('STOWEND\x1a', 'latin1');

export const HEADER_SIZE = 64;
export const FRAME_HEADER_SIZE = 32;
export const FRAME_CRC_SIZE = 4;
export const TRAILER_SIZE = 32;
export const GCM_TAG_SIZE = 16;

/** Raw bytes per data frame. Large enough for zstd to find matches, small enough to keep memory flat. */
export const DEFAULT_FRAME_SIZE = 2 * 1024 * 1024;
export const MAX_FRAME_SIZE = 64 * 1024 * 1024;
/**
 * Raw bytes of a footer in all its frames. Readers parse the footer as one
 * string, and V8 strings end at 2^29 - 24 characters (just under 512 MiB): the
 * writer refuses a larger manifest rather than write one no reader can parse.
 */
export const MAX_FOOTER_SIZE = 511 * 1024 * 1024;

export enum FrameType {
  StreamOpen = 1,
  Data = 2,
  StreamClose = 3,
  Footer = 4,
}

export enum Codec {
  None = 0,
  Zstd = 1,
}

export enum Kdf {
  None = 0,
  Scrypt = 1,
  RawKey = 2,
}

export const HeaderFlags = { encrypted: 1 } as const;

export interface Header {
  version: number;
  encrypted: boolean;
  kdf: Kdf;
  scryptLogN: number;
  scryptR: number;
  scryptP: number;
  /** Random per archive: the KDF salt, and what makes each archive's key unique. */
  salt: Buffer;
  /** GCM tag proving the key is right before any frame is read; zeros when not encrypted. */
  keyCheck: Buffer;
}

export function encodeHeader(header: Header): Buffer {
  const b = Buffer.alloc(HEADER_SIZE);
  HEADER_MAGIC.copy(b, 0);
  b.writeUInt16LE(header.version, 8);
  b.writeUInt16LE(header.encrypted ? HeaderFlags.encrypted : 0, 10);
  b.writeUInt8(header.kdf, 12);
  b.writeUInt8(header.scryptLogN, 13);
  b.writeUInt8(header.scryptR, 14);
  b.writeUInt8(header.scryptP, 15);
  header.salt.copy(b, 16, 0, 16);
  header.keyCheck.copy(b, 32, 0, 16);
  b.writeUInt32LE(crc32(b.subarray(0, 60)), 60);
  return b;
}

/** The header bytes that the key check authenticates (everything before it). */
export function headerAuthenticatedPart(encodedHeader: Buffer): Buffer {
  return encodedHeader.subarray(0, 32);
}

export type HeaderProblem = 'magic' | 'crc' | 'short';

export function decodeHeader(b: Buffer): Header | HeaderProblem {
  if (b.length < HEADER_SIZE)
    return b.length >= 8 && !b.subarray(0, 8).equals(HEADER_MAGIC) ? 'magic' : 'short';
  if (!b.subarray(0, 8).equals(HEADER_MAGIC)) return 'magic';
  if (b.readUInt32LE(60) !== crc32(b.subarray(0, 60))) return 'crc';
  const flags = b.readUInt16LE(10);
  return {
    version: b.readUInt16LE(8),
    encrypted: (flags & HeaderFlags.encrypted) !== 0,
    kdf: b.readUInt8(12),
    scryptLogN: b.readUInt8(13),
    scryptR: b.readUInt8(14),
    scryptP: b.readUInt8(15),
    salt: Buffer.from(b.subarray(16, 32)),
    keyCheck: Buffer.from(b.subarray(32, 48)),
  };
}

export interface FrameHeader {
  type: FrameType;
  codec: Codec;
  streamId: number;
  /** Position of this frame among all frames of the archive, from 0. Also the encryption nonce. */
  ordinal: number;
  /** Position of this frame within its stream (data frames), from 0. */
  sequence: number;
  rawLength: number;
  storedLength: number;
}

export function encodeFrameHeader(h: FrameHeader, into: Buffer = Buffer.alloc(FRAME_HEADER_SIZE)): Buffer {
  into.writeUInt8(h.type, 0);
  into.writeUInt8(h.codec, 1);
  into.writeUInt16LE(0, 2);
  into.writeUInt32LE(h.streamId, 4);
  into.writeBigUInt64LE(BigInt(h.ordinal), 8);
  into.writeUInt32LE(h.sequence, 16);
  into.writeUInt32LE(h.rawLength, 20);
  into.writeUInt32LE(h.storedLength, 24);
  into.writeUInt32LE(crc32(into.subarray(0, 28)), 28);
  return into;
}

/** The frame-header bytes bound into each frame's GCM tag: all but the stored length and the CRC. */
export function frameAad(h: FrameHeader): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt8(h.type, 0);
  b.writeUInt8(h.codec, 1);
  b.writeUInt32LE(h.streamId, 4);
  b.writeBigUInt64LE(BigInt(h.ordinal), 8);
  b.writeUInt32LE(h.sequence, 16);
  b.writeUInt32LE(h.rawLength, 20);
  return b;
}

export function decodeFrameHeader(b: Buffer): FrameHeader | undefined {
  if (b.length < FRAME_HEADER_SIZE) return undefined;
  if (b.readUInt32LE(28) !== crc32(b.subarray(0, 28))) return undefined;
  const type = b.readUInt8(0);
  const codec = b.readUInt8(1);
  if (type < FrameType.StreamOpen || type > FrameType.Footer || codec > Codec.Zstd) return undefined;
  return {
    type,
    codec,
    streamId: b.readUInt32LE(4),
    ordinal: Number(b.readBigUInt64LE(8)),
    sequence: b.readUInt32LE(16),
    rawLength: b.readUInt32LE(20),
    storedLength: b.readUInt32LE(24),
  };
}

export function frameTotalSize(storedLength: number): number {
  return FRAME_HEADER_SIZE + storedLength + FRAME_CRC_SIZE;
}

export interface Trailer {
  footerOffset: number;
  footerLength: number;
  version: number;
}

export function encodeTrailer(t: Trailer): Buffer {
  const b = Buffer.alloc(TRAILER_SIZE);
  b.writeBigUInt64LE(BigInt(t.footerOffset), 0);
  b.writeBigUInt64LE(BigInt(t.footerLength), 8);
  b.writeUInt32LE(t.version, 16);
  b.writeUInt32LE(crc32(b.subarray(0, 20)), 20);
  TRAILER_MAGIC.copy(b, 24);
  return b;
}

export function decodeTrailer(b: Buffer): Trailer | 'magic' | 'crc' {
  if (b.length < TRAILER_SIZE || !b.subarray(24, 32).equals(TRAILER_MAGIC)) return 'magic';
  if (b.readUInt32LE(20) !== crc32(b.subarray(0, 20))) return 'crc';
  return {
    footerOffset: Number(b.readBigUInt64LE(0)),
    footerLength: Number(b.readBigUInt64LE(8)),
    version: b.readUInt32LE(16),
  };
}
