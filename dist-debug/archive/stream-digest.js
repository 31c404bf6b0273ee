import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
let blake3;
function loadBlake3() {
    if (blake3 === undefined) {
        try {
            blake3 = createRequire(import.meta.url)('@napi-rs/blake-hash');
        }
        catch {
            // No prebuilt binary for this platform: SHA-256 is always there.
            blake3 = null;
        }
    }
    return blake3;
}
/** What new archives use: BLAKE3 when its hasher loads here, else SHA-256. */
export function preferredDigest() {
    return loadBlake3() ? 'blake3' : 'sha256';
}
/** Starts a digest. Throws when BLAKE3 is asked for and cannot load here. */
export function createStreamDigest(algorithm) {
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
        throw new Error('this archive uses BLAKE3 digests, but the BLAKE3 hasher (@napi-rs/blake-hash) has no build for this platform');
    }
    const hasher = new module.Blake3Hasher();
    return {
        algorithm,
        update: (chunk) => {
            hasher.update(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        },
        hex: () => hasher.digest('hex'),
    };
}
/** The algorithm and value of a recorded digest. */
export function recordedDigest(entry) {
    if (entry.blake3 !== undefined)
        return { algorithm: 'blake3', hex: entry.blake3 };
    return { algorithm: 'sha256', hex: entry.sha256 ?? '' };
}
/** The field that records a digest of `algorithm`. */
export function recordDigest(algorithm, hex) {
    return algorithm === 'blake3' ? { blake3: hex } : { sha256: hex };
}
/** Whether two recorded digests are the same algorithm and value. */
export function sameDigest(a, b) {
    if (!a || !b)
        return false;
    const x = recordedDigest(a);
    const y = recordedDigest(b);
    return x.algorithm === y.algorithm && x.hex === y.hex;
}
/** For messages: `BLAKE3`, `SHA-256`. */
export function digestName(algorithm) {
    return algorithm === 'blake3' ? 'BLAKE3' : 'SHA-256';
}
//# sourceMappingURL=stream-digest.js.map