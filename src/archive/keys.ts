import { createCipheriv, createDecipheriv, hkdfSync, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StowageError, WrongKeyError } from '../errors.js';
import { GCM_TAG_SIZE, type Header, Kdf } from './format.js';

/**
 * scrypt as a promise. Not `util.promisify`: this module loads with every backup, restore and codec
 * worker, and an ES import of `node:util` builds its whole namespace, which loads parseArgs, the
 * diff and colour helpers and more (~3.5 ms of CPU each start).
 */
function scrypt(
  password: string | Buffer,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * Where the encryption key comes from. A passphrase is stretched with scrypt
 * (parameters and salt live in the archive header); a key file holds 32 random
 * bytes, raw or as 64 hex characters or base64.
 */
export type KeySource = { passphrase: string } | { keyFile: string } | { key: Uint8Array };

/** scrypt cost: 2^17 × 8 × 128 B = 128 MiB and about half a second, once per archive. */
export const DEFAULT_SCRYPT = { logN: 17, r: 8, p: 1 } as const;

const HKDF_INFO = Buffer.from('stowage archive key v1');
const KEY_CHECK_NONCE = Buffer.alloc(12, 0xff);

export function kdfFor(source: KeySource): Kdf {
  return 'passphrase' in source ? Kdf.Scrypt : Kdf.RawKey;
}

/**
 * Derives the archive's AES-256 key. Every archive has a fresh random salt, so
 * even with one key file every archive gets its own key and GCM nonces (frame
 * ordinals) never repeat under one key.
 */
export async function deriveArchiveKey(header: Header, source: KeySource): Promise<Buffer> {
  let ikm: Buffer;
  if (header.kdf === Kdf.Scrypt) {
    if (!('passphrase' in source)) {
      throw new StowageError(
        'key-kind',
        'archive was encrypted with a passphrase, not a key file',
        'pass the passphrase instead',
      );
    }
    const N = 2 ** header.scryptLogN;
    ikm = await scrypt(source.passphrase.normalize('NFC'), header.salt, 32, {
      N,
      r: header.scryptR,
      p: header.scryptP,
      maxmem: 256 * N * header.scryptR + 1024 * 1024,
    });
  } else if (header.kdf === Kdf.RawKey) {
    if ('passphrase' in source) {
      throw new StowageError(
        'key-kind',
        'archive was encrypted with a key file, not a passphrase',
        'pass --key-file instead',
      );
    }
    ikm = 'keyFile' in source ? await readKeyFile(source.keyFile) : Buffer.from(source.key);
    if (ikm.length !== 32)
      throw new StowageError(
        'bad-key',
        `key must be 32 bytes, got ${ikm.length}`,
        'generate one with: openssl rand -out stowage.key 32',
      );
  } else {
    throw new StowageError('bad-kdf', `unknown key derivation ${header.kdf} in archive header`);
  }
  return Buffer.from(hkdfSync('sha256', ikm, header.salt, HKDF_INFO, 32));
}

async function readKeyFile(path: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw new StowageError(
      'key-file',
      `cannot read key file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      'check the --key-file path',
      { cause: err },
    );
  }
  if (raw.length === 32) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 32) return b64;
  throw new StowageError(
    'bad-key',
    `key file ${path} does not hold 32 bytes (raw, hex or base64)`,
    'generate one with: openssl rand -out stowage.key 32',
  );
}

/** A GCM tag over nothing, bound to the header: lets a reader reject a wrong key before reading any frame. */
export function computeKeyCheck(key: Buffer, headerPart: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, KEY_CHECK_NONCE);
  cipher.setAAD(headerPart);
  cipher.final();
  return cipher.getAuthTag();
}

export function verifyKeyCheck(key: Buffer, headerPart: Buffer, expected: Buffer): void {
  const actual = computeKeyCheck(key, headerPart);
  if (!timingSafeEqual(actual, expected)) throw new WrongKeyError();
}

function nonceFor(ordinal: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64LE(BigInt(ordinal), 4);
  return nonce;
}

/** Encrypts one frame payload; the tag is appended. */
export function sealFrame(key: Buffer, ordinal: number, aad: Buffer, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonceFor(ordinal));
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([body, cipher.getAuthTag()]);
}

/** Decrypts one frame payload, or returns undefined when authentication fails. */
export function openFrame(key: Buffer, ordinal: number, aad: Buffer, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < GCM_TAG_SIZE) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, nonceFor(ordinal));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_SIZE));
  const body = decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_SIZE));
  try {
    decipher.final();
  } catch {
    return undefined;
  }
  return body;
}
