/**
 * Byte layout of the .stow format, version 1. docs/FORMAT.md is the prose
 * version of this file; keep the two in step. All integers are little-endian.
 */
/**
 * The version new archives are written in. 2: stream digests may be BLAKE3
 * (`blake3` next to `sha256` in the manifest and stream-close frames, and the
 * stream-open frame names the algorithm); the byte layout is version 1's.
 */
export declare const FORMAT_VERSION = 2;
/** Readers still read version 1 archives (SHA-256 digests). */
export declare const OLDEST_READABLE_VERSION = 1;
/** `\x89STOW\r\n\x1a`: the high byte and CR LF catch 7-bit and newline-mangling transfers, like PNG. */
export declare const HEADER_MAGIC: Buffer<ArrayBuffer>;
export declare const TRAILER_MAGIC: Buffer<ArrayBuffer>;
export declare const HEADER_SIZE = 64;
export declare const FRAME_HEADER_SIZE = 32;
export declare const FRAME_CRC_SIZE = 4;
export declare const TRAILER_SIZE = 32;
export declare const GCM_TAG_SIZE = 16;
/** Raw bytes per data frame. Large enough for zstd to find matches, small enough to keep memory flat. */
export declare const DEFAULT_FRAME_SIZE: number;
export declare const MAX_FRAME_SIZE: number;
export declare enum FrameType {
    StreamOpen = 1,
    Data = 2,
    StreamClose = 3,
    Footer = 4
}
export declare enum Codec {
    None = 0,
    Zstd = 1
}
export declare enum Kdf {
    None = 0,
    Scrypt = 1,
    RawKey = 2
}
export declare const HeaderFlags: {
    readonly encrypted: 1;
};
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
export declare function encodeHeader(header: Header): Buffer;
/** The header bytes that the key check authenticates (everything before it). */
export declare function headerAuthenticatedPart(encodedHeader: Buffer): Buffer;
export type HeaderProblem = 'magic' | 'crc' | 'short';
export declare function decodeHeader(b: Buffer): Header | HeaderProblem;
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
export declare function encodeFrameHeader(h: FrameHeader, into?: Buffer): Buffer;
/** The frame-header bytes bound into each frame's GCM tag: all but the stored length and the CRC. */
export declare function frameAad(h: FrameHeader): Buffer;
export declare function decodeFrameHeader(b: Buffer): FrameHeader | undefined;
export declare function frameTotalSize(storedLength: number): number;
export interface Trailer {
    footerOffset: number;
    footerLength: number;
    version: number;
}
export declare function encodeTrailer(t: Trailer): Buffer;
export declare function decodeTrailer(b: Buffer): Trailer | 'magic' | 'crc';
