/**
 * The whole-stream digest each archive stream carries (manifest and
 * stream-close frame): a 256-bit cryptographic hash of the raw stream bytes.
 *
 * BLAKE3 when its native hasher loads (`@napi-rs/blake-hash`, prebuilt for
 * the common platforms), SHA-256 from node:crypto otherwise, and in archives of
 * format 1. Why not SHA-256 always: every raw byte of a backup is hashed on the
 * main thread, and on the 2-core bench machine SHA-256 (with SHA-NI,
 * 1.8 GB/s) was 0.35 CPU-s of a 614 MB PostgreSQL backup, some 7% of all the
 * CPU the backup and the server spent. BLAKE3 (AVX-512, 8.3 GB/s there) does
 * the same job, a collision-resistant content digest, in a fifth of the time;
 * restore and verify, which hash everything again, gain the same.
 */
export type DigestAlgorithm = 'blake3' | 'sha256';
/** A running digest of one stream. */
export interface StreamDigest {
    readonly algorithm: DigestAlgorithm;
    update(chunk: Uint8Array): void;
    /** Lowercase hex; call once, at the end. */
    hex(): string;
}
/** What new archives use: BLAKE3 when its hasher loads here, else SHA-256. */
export declare function preferredDigest(): DigestAlgorithm;
/** Starts a digest. Throws when BLAKE3 is asked for and cannot load here. */
export declare function createStreamDigest(algorithm: DigestAlgorithm): StreamDigest;
/** A stream's digest as recorded (manifest entry or stream-close summary): exactly one of the two fields. */
export interface RecordedDigest {
    blake3?: string | undefined;
    sha256?: string | undefined;
}
/** The algorithm and value of a recorded digest. */
export declare function recordedDigest(entry: RecordedDigest): {
    algorithm: DigestAlgorithm;
    hex: string;
};
/** The field that records a digest of `algorithm`. */
export declare function recordDigest(algorithm: DigestAlgorithm, hex: string): RecordedDigest;
/** Whether two recorded digests are the same algorithm and value. */
export declare function sameDigest(a: RecordedDigest | undefined, b: RecordedDigest | undefined): boolean;
/** For messages: `BLAKE3`, `SHA-256`. */
export declare function digestName(algorithm: DigestAlgorithm): string;
