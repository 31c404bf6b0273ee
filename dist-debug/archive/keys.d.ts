import { type Header, Kdf } from './format.js';
/**
 * Where the encryption key comes from. A passphrase is stretched with scrypt
 * (parameters and salt live in the archive header); a key file holds 32 random
 * bytes, raw or as 64 hex characters or base64.
 */
export type KeySource = {
    passphrase: string;
} | {
    keyFile: string;
} | {
    key: Uint8Array;
};
/** scrypt cost: 2^17 × 8 × 128 B = 128 MiB and about half a second, once per archive. */
export declare const DEFAULT_SCRYPT: {
    readonly logN: 17;
    readonly r: 8;
    readonly p: 1;
};
export declare function kdfFor(source: KeySource): Kdf;
/**
 * Derives the archive's AES-256 key. Every archive has a fresh random salt, so
 * even with one key file every archive gets its own key and GCM nonces (frame
 * ordinals) never repeat under one key.
 */
export declare function deriveArchiveKey(header: Header, source: KeySource): Promise<Buffer>;
/** A GCM tag over nothing, bound to the header: lets a reader reject a wrong key before reading any frame. */
export declare function computeKeyCheck(key: Buffer, headerPart: Buffer): Buffer;
export declare function verifyKeyCheck(key: Buffer, headerPart: Buffer, expected: Buffer): void;
/** Encrypts one frame payload; the tag is appended. */
export declare function sealFrame(key: Buffer, ordinal: number, aad: Buffer, plaintext: Uint8Array): Buffer;
/** Decrypts one frame payload, or returns undefined when authentication fails. */
export declare function openFrame(key: Buffer, ordinal: number, aad: Buffer, sealed: Uint8Array): Buffer | undefined;
