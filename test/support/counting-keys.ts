// A key cache that records every key derivation it makes, to count them.
import { ArchiveKeys } from '../../src/archive/archive-keys.js';
import type { Header } from '../../src/archive/format.js';
import { deriveArchiveKey, type KeySource } from '../../src/archive/keys.js';

/** A key cache for `source` whose derivations are recorded: the salt of each one, in order. */
export function countingKeys(source: KeySource): { keys: ArchiveKeys; salts: string[] } {
  const salts: string[] = [];
  const keys = new ArchiveKeys(source, (header: Header, s: KeySource) => {
    salts.push(header.salt.toString('hex'));
    return deriveArchiveKey(header, s);
  });
  return { keys, salts };
}
