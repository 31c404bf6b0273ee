import { crc32 } from 'node:zlib';
/**
 * Byte layout of the .stow format, version 1. docs/FORMAT.md is the prose
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
export var FrameType;
(function (FrameType) {
    FrameType[FrameType["StreamOpen"] = 1] = "StreamOpen";
    FrameType[FrameType["Data"] = 2] = "Data";
    FrameType[FrameType["StreamClose"] = 3] = "StreamClose";
    FrameType[FrameType["Footer"] = 4] = "Footer";
})(FrameType || (FrameType = {}));
export var Codec;
(function (Codec) {
    Codec[Codec["None"] = 0] = "None";
    Codec[Codec["Zstd"] = 1] = "Zstd";
})(Codec || (Codec = {}));
export var Kdf;
(function (Kdf) {
    Kdf[Kdf["None"] = 0] = "None";
    Kdf[Kdf["Scrypt"] = 1] = "Scrypt";
    Kdf[Kdf["RawKey"] = 2] = "RawKey";
})(Kdf || (Kdf = {}));
export const HeaderFlags = { encrypted: 1 };
export function encodeHeader(header) {
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
export function headerAuthenticatedPart(encodedHeader) {
    return encodedHeader.subarray(0, 32);
}
export function decodeHeader(b) {
    if (b.length < HEADER_SIZE)
        return b.length >= 8 && !b.subarray(0, 8).equals(HEADER_MAGIC) ? 'magic' : 'short';
    if (!b.subarray(0, 8).equals(HEADER_MAGIC))
        return 'magic';
    if (b.readUInt32LE(60) !== crc32(b.subarray(0, 60)))
        return 'crc';
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
export function encodeFrameHeader(h, into = Buffer.alloc(FRAME_HEADER_SIZE)) {
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
export function frameAad(h) {
    const b = Buffer.alloc(24);
    b.writeUInt8(h.type, 0);
    b.writeUInt8(h.codec, 1);
    b.writeUInt32LE(h.streamId, 4);
    b.writeBigUInt64LE(BigInt(h.ordinal), 8);
    b.writeUInt32LE(h.sequence, 16);
    b.writeUInt32LE(h.rawLength, 20);
    return b;
}
export function decodeFrameHeader(b) {
    if (b.length < FRAME_HEADER_SIZE)
        return undefined;
    if (b.readUInt32LE(28) !== crc32(b.subarray(0, 28)))
        return undefined;
    const type = b.readUInt8(0);
    const codec = b.readUInt8(1);
    if (type < FrameType.StreamOpen || type > FrameType.Footer || codec > Codec.Zstd)
        return undefined;
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
export function frameTotalSize(storedLength) {
    return FRAME_HEADER_SIZE + storedLength + FRAME_CRC_SIZE;
}
export function encodeTrailer(t) {
    const b = Buffer.alloc(TRAILER_SIZE);
    b.writeBigUInt64LE(BigInt(t.footerOffset), 0);
    b.writeBigUInt64LE(BigInt(t.footerLength), 8);
    b.writeUInt32LE(t.version, 16);
    b.writeUInt32LE(crc32(b.subarray(0, 20)), 20);
    TRAILER_MAGIC.copy(b, 24);
    return b;
}
export function decodeTrailer(b) {
    if (b.length < TRAILER_SIZE || !b.subarray(24, 32).equals(TRAILER_MAGIC))
        return 'magic';
    if (b.readUInt32LE(20) !== crc32(b.subarray(0, 20)))
        return 'crc';
    return {
        footerOffset: Number(b.readBigUInt64LE(0)),
        footerLength: Number(b.readBigUInt64LE(8)),
        version: b.readUInt32LE(16),
    };
}
//# sourceMappingURL=format.js.map