import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * The whole-stream digest each archive stream carries (manifest and
 * stream-close frame): a 256-bit cryptographic hash of the raw stream bytes.
 *
 * BLAKE3 when its native hasher loads (`@napi-rs/blake-hash`, prebuilt for
 * the common platforms), SHA-256 from node:crypto otherwise, and in archives of
 * format 1 (whose streams carry SHA-256). Why not SHA-256 always: every raw
 * byte of a backup is hashed on the main thread, where SHA-256 was a visible
 * share of a PostgreSQL backup's CPU; BLAKE3 does the same job, a
 * collision-resistant content digest, several times faster (docs/BENCHMARKS.md,
 * "Design measurements"); restore and verify, which hash everything again,
 * gain the same.
 */
export type DigestAlgorithm = 'blake3' | 'sha256';

/** A running digest of one stream. */
export interface StreamDigest {
  readonly algorithm: DigestAlgorithm;
  update(chunk: Uint8Array): void;
  /** Lowercase hex; call once, at the end. */
  hex(): string;
}

interface Blake3Hasher {
  update(input: Buffer): unknown;
  digest(format: 'hex'): string;
}

type Blake3Module = { Blake3Hasher: new () => Blake3Hasher };

let blake3: Blake3Module | null | undefined;

function loadBlake3(): Blake3Module | null {
  if (blake3 === undefined) {
    try {
      blake3 = createRequire(import.meta.url)('@napi-rs/blake-hash') as Blake3Module;
    } catch {
      // No prebuilt binary for this platform: SHA-256 is always there.
      blake3 = null;
    }
  }
  return blake3;
}

/** What new archives use: BLAKE3 when its hasher loads here, else SHA-256. */
export function preferredDigest(): DigestAlgorithm {
  return loadBlake3() ? 'blake3' : 'sha256';
}

/** Starts a digest. Throws when BLAKE3 is asked for and cannot load here. */
export function createStreamDigest(algorithm: DigestAlgorithm): StreamDigest {
  if (algorithm === 'sha256') {
    const hash = createHash('sha256');
    return {
      algorithm,
      update: (chunk) => hash.update(chunk),
      hex: () => hash.digest('hex'),
    };
  }
  const module = loadBlake3();
  if (!module) {
    throw new Error(
      'this archive uses BLAKE3 digests, but the BLAKE3 hasher (@napi-rs/blake-hash) has no build for this platform',
    );
  }
  const hasher = new module.Blake3Hasher();
  return {
    algorithm,
    update: (chunk) => {
      hasher.update(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
    },
    hex: () => hasher.digest('hex'),
  };
}

/** A stream's digest as recorded (manifest entry or stream-close summary): exactly one of the two fields. */
export interface RecordedDigest {
  blake3?: string | undefined;
  sha256?: string | undefined;
}

/** The algorithm and value of a recorded digest. */
export function recordedDigest(entry: RecordedDigest): { algorithm: DigestAlgorithm; hex: string } {
  if (entry.blake3 !== undefined) return { algorithm: 'blake3', hex: entry.blake3 };
  return { algorithm: 'sha256', hex: entry.sha256 ?? '' };
}

/** The field that records a digest of `algorithm`. */
export function recordDigest(algorithm: DigestAlgorithm, hex: string): RecordedDigest {
  return algorithm === 'blake3' ? { blake3: hex } : { sha256: hex };
}

/** Whether two recorded digests are the same algorithm and value. */
export function sameDigest(a: RecordedDigest | undefined, b: RecordedDigest | undefined): boolean {
  if (!a || !b) return false;
  const x = recordedDigest(a);
  const y = recordedDigest(b);
  return x.algorithm === y.algorithm && x.hex === y.hex;
}

/** For messages: `BLAKE3`, `SHA-256`. */
export function digestName(algorithm: DigestAlgorithm): string {
  return algorithm === 'blake3' ? 'BLAKE3' : 'SHA-256';
}
