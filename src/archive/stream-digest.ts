import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { StowageError } from '../errors.js';

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

type Blake3Module = {
  Blake3Hasher: new () => Blake3Hasher;
  blake3(input: Uint8Array): Buffer;
};

let blake3: Blake3Module | null | undefined;
/** Why the hasher did not load, for the message of a read that needs it. */
let blake3Failure: unknown;

function loadBlake3(): Blake3Module | null {
  if (blake3 === undefined) {
    try {
      blake3 = createRequire(import.meta.url)('@napi-rs/blake-hash') as Blake3Module;
    } catch (err) {
      // No prebuilt binary for this platform, or its optional package was left out: SHA-256 is always there.
      blake3 = null;
      blake3Failure = err;
    }
  }
  return blake3;
}

/**
 * The one-line error (`native-addon`) of reading BLAKE3 digests where the
 * hasher does not load: its platform package (an optional dependency) was
 * left out at install (`--omit=optional`, a node_modules copied from another
 * platform) or does not load here. Writing never needs it (SHA-256 instead).
 */
function blake3Unavailable(): StowageError {
  // The loader's first sentence: napi-rs goes on with advice for developers (remove package-lock.json).
  const detail = (
    blake3Failure instanceof Error ? blake3Failure.message : String(blake3Failure ?? 'not installed')
  )
    .split('\n')[0]!
    .split('. ')[0]!
    .trim();
  return new StowageError(
    'native-addon',
    `this archive's stream digests are BLAKE3, but the BLAKE3 addon @napi-rs/blake-hash does not load on ` +
      `${process.platform}-${process.arch}, Node.js ${process.versions.node} (${detail}); ` +
      'run `npm install` in the folder stowage is installed in (with optional dependencies: it fetches the addon for this platform)',
    undefined,
    { cause: blake3Failure },
  );
}

/** What new archives use: BLAKE3 when its hasher loads here, else SHA-256. */
export function preferredDigest(): DigestAlgorithm {
  return loadBlake3() ? 'blake3' : 'sha256';
}

/** Throws `native-addon` when digests of `algorithm` cannot be computed here (BLAKE3 without its addon). */
export function requireDigest(algorithm: DigestAlgorithm): void {
  if (algorithm === 'blake3' && !loadBlake3()) throw blake3Unavailable();
}

/** Starts a digest. Throws `native-addon` when BLAKE3 is asked for and cannot load here. */
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
  if (!module) throw blake3Unavailable();
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

/**
 * The digest of bytes held whole, in one call: what {@link createStreamDigest}
 * gives for the same bytes. A stream that fits one frame (a small table) is
 * hashed this way: a running hasher is a native object per stream, which cost
 * a backup of thousands of small tables more than the hashing itself.
 */
export function digestOf(algorithm: DigestAlgorithm, bytes: Uint8Array): string {
  if (algorithm === 'sha256') return createHash('sha256').update(bytes).digest('hex');
  const module = loadBlake3();
  if (!module) throw blake3Unavailable();
  return module.blake3(bytes).toString('hex');
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
