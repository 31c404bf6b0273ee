import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader, FORMAT_VERSION, Kdf } from '../../src/archive/format.js';
import type { KeySource } from '../../src/archive/keys.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { scanArchive } from '../../src/archive/scan.js';
import {
  CorruptArchiveError,
  KeyRequiredError,
  NotAnArchiveError,
  StowageError,
  TruncatedArchiveError,
  UnsupportedVersionError,
  WrongKeyError,
} from '../../src/errors.js';
import { LocalFileSource } from '../../src/store/local/local-file-source.js';
import { collect, MemorySource, makeBytes, type StreamSpec, TEST_SCRYPT, writeArchive } from './helpers.js';

const streams: StreamSpec[] = [
  { name: 'a', data: makeBytes('text', 1, 5000) },
  { name: 'b', data: makeBytes('random', 2, 100) },
];

const open = (bytes: Buffer, encryption?: KeySource) =>
  ArchiveReader.open(new MemorySource(bytes), { threads: 0, encryption });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-archive-errors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('not an archive', () => {
  it('an empty file', async () => {
    const path = join(dir, 'empty.stow');
    await writeFile(path, '');
    const err = await ArchiveReader.open(await LocalFileSource.open(path)).catch((e) => e);
    expect(err).toBeInstanceOf(NotAnArchiveError);
    expect(err.message).toBe(`not a stowage archive: ${path} is empty`);
    await expect(scanArchive(new MemorySource(Buffer.alloc(0)))).rejects.toBeInstanceOf(NotAnArchiveError);
  });

  it('a text file, a random file, short files, and a gzip file', async () => {
    const samples = [
      Buffer.from('hello, this is a plain text file\nwith several lines\n'.repeat(5)),
      randomBytes(10_000),
      randomBytes(5),
      Buffer.from('x'),
      Buffer.from('1f8b0800000000000003', 'hex'),
      Buffer.from('-- PostgreSQL database dump\n\nSET statement_timeout = 0;\n'),
    ];
    for (const sample of samples) {
      const err = await open(sample).catch((e) => e);
      expect(err, sample.subarray(0, 10).toString('hex')).toBeInstanceOf(NotAnArchiveError);
      expect(err.message).toMatch(/^not a stowage archive: /);
    }
  });

  it('an archive cut inside its header is truncated, not foreign', async () => {
    const bytes = await writeArchive(streams);
    for (const cut of [3, 8, 40, 63]) {
      const err = await open(bytes.subarray(0, cut)).catch((e) => e);
      expect(err).toBeInstanceOf(StowageError);
      expect(err.code).toBe('truncated');
      expect(err.message).toMatch(/^truncated archive: /);
    }
  });
});

describe('format version', () => {
  const header = (version: number) =>
    encodeHeader({
      version,
      encrypted: false,
      kdf: Kdf.None,
      scryptLogN: 0,
      scryptR: 0,
      scryptP: 0,
      salt: randomBytes(16),
      keyCheck: Buffer.alloc(16),
    });

  it('a header with a later version and a valid CRC is rejected by version', async () => {
    const later = FORMAT_VERSION + 1;
    const bytes = await writeArchive(streams);
    const future = Buffer.concat([header(later), bytes.subarray(64)]);
    const err = await open(future).catch((e) => e);
    expect(err).toBeInstanceOf(UnsupportedVersionError);
    expect(err.message).toBe(`unsupported format version ${later}`);
    expect(err.version).toBe(later);
    // A header alone is enough to say so; what follows may be anything a later version writes.
    await expect(open(Buffer.concat([header(later), randomBytes(100)]))).rejects.toThrow(
      `unsupported format version ${later}`,
    );
    await expect(open(header(300))).rejects.toThrow('unsupported format version 300');
    await expect(scanArchive(new MemorySource(future))).rejects.toBeInstanceOf(UnsupportedVersionError);
  });

  it('version 1 archives (SHA-256 digests) still open and read', async () => {
    const bytes = await writeArchive(streams, { digest: 'sha256' });
    const v1 = Buffer.concat([header(1), bytes.subarray(64)]);
    const reader = await open(v1);
    expect(reader.header.version).toBe(1);
    for (const s of streams) {
      expect(reader.manifest.streams.find((e) => e.name === s.name)?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect((await collect(reader.open(s.name))).equals(s.data)).toBe(true);
    }
  });

  it('version 0 is not a version this reader knows either', async () => {
    await expect(open(Buffer.concat([header(0), randomBytes(100)]))).rejects.toThrow(
      'unsupported format version 0',
    );
  });

  it('the writer writes the current version', async () => {
    const bytes = await writeArchive(streams);
    expect(bytes.readUInt16LE(8)).toBe(FORMAT_VERSION);
    const reader = await open(bytes);
    expect(reader.header.version).toBe(FORMAT_VERSION);
    expect(reader.manifest.formatVersion).toBe(FORMAT_VERSION);
    await reader.close();
  });
});

describe('keys', () => {
  it('a wrong passphrase is a WrongKeyError, before any frame is read', async () => {
    const bytes = await writeArchive(streams, { encryption: { passphrase: 'right' } });
    const source = new MemorySource(bytes);
    const err = await ArchiveReader.open(source, { threads: 0, encryption: { passphrase: 'wrong' } }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(WrongKeyError);
    expect(err.message).toBe('wrong passphrase or key');
    expect(source.reads).toEqual([{ offset: 0, length: 64 }]);
    expect(source.closed).toBe(true);
    await expect(scanArchive(new MemorySource(bytes), { passphrase: 'wrong' })).rejects.toBeInstanceOf(
      WrongKeyError,
    );
    // Passphrases are compared after Unicode normalization: the same text typed differently still opens.
    const nfc = await writeArchive(streams, { encryption: { passphrase: 'caf\u00e9' } });
    const reader = await open(nfc, { passphrase: 'cafe\u0301' });
    await reader.close();
  });

  it('a wrong key is a WrongKeyError', async () => {
    const bytes = await writeArchive(streams, { encryption: { key: randomBytes(32) } });
    await expect(open(bytes, { key: randomBytes(32) })).rejects.toBeInstanceOf(WrongKeyError);
  });

  it('an encrypted archive opened without a key is a KeyRequiredError', async () => {
    for (const encryption of [{ passphrase: 'pw' }, { key: randomBytes(32) }]) {
      const bytes = await writeArchive(streams, { encryption });
      await expect(open(bytes)).rejects.toBeInstanceOf(KeyRequiredError);
      await expect(scanArchive(new MemorySource(bytes))).rejects.toBeInstanceOf(KeyRequiredError);
    }
  });

  it('a key given for a passphrase archive (and the reverse) is a clear error', async () => {
    const withPass = await writeArchive(streams, { encryption: { passphrase: 'pw' } });
    await expect(open(withPass, { key: randomBytes(32) })).rejects.toThrow(/encrypted with a passphrase/);
    const withKey = await writeArchive(streams, { encryption: { key: randomBytes(32) } });
    await expect(open(withKey, { passphrase: 'pw' })).rejects.toThrow(/encrypted with a key file/);
  });

  it('a key given for an unencrypted archive is ignored', async () => {
    const bytes = await writeArchive(streams);
    const reader = await open(bytes, { passphrase: 'unused' });
    expect((await collect(reader.open('a'))).equals(streams[0]!.data)).toBe(true);
    await reader.close();
  });

  it('the scrypt parameters are recorded in the header', async () => {
    const bytes = await writeArchive(streams, { encryption: { passphrase: 'pw' }, scrypt: TEST_SCRYPT });
    const reader = await open(bytes, { passphrase: 'pw' });
    expect(reader.header).toMatchObject({
      encrypted: true,
      kdf: Kdf.Scrypt,
      scryptLogN: 10,
      scryptR: 8,
      scryptP: 1,
    });
    await reader.close();
  });

  it('key files: raw 32 bytes, hex, base64 (with or without a newline) are the same key', async () => {
    const key = randomBytes(32);
    const forms: [string, string | Buffer][] = [
      ['raw.key', key],
      ['hex.key', key.toString('hex')],
      ['hex-nl.key', `${key.toString('hex').toUpperCase()}\n`],
      ['b64.key', key.toString('base64')],
      ['b64-nl.key', `${key.toString('base64')}\n`],
    ];
    for (const [name, content] of forms) await writeFile(join(dir, name), content);
    const bytes = await writeArchive(streams, { encryption: { keyFile: join(dir, 'raw.key') } });
    for (const [name] of forms) {
      const reader = await open(bytes, { keyFile: join(dir, name) });
      expect((await collect(reader.open('b'))).equals(streams[1]!.data), name).toBe(true);
      await reader.close();
    }
    // And an archive written with the hex form opens with the in-memory key.
    const hexWritten = await writeArchive(streams, { encryption: { keyFile: join(dir, 'hex.key') } });
    await (await open(hexWritten, { key })).close();
  });

  it('bad key files are refused with a message naming the problem', async () => {
    await writeFile(join(dir, 'short.key'), randomBytes(16));
    await writeFile(join(dir, 'long.key'), randomBytes(33));
    const ok = join(dir, 'ok.key');
    await writeFile(ok, randomBytes(32));
    const bytes = await writeArchive(streams, { encryption: { keyFile: ok } });
    for (const name of ['short.key', 'long.key']) {
      const err = await open(bytes, { keyFile: join(dir, name) }).catch((e) => e);
      expect(err).toBeInstanceOf(StowageError);
      expect(err.message).toMatch(/does not hold 32 bytes/);
    }
    const missing = await open(bytes, { keyFile: join(dir, 'missing.key') }).catch((e) => e);
    expect(missing).toBeInstanceOf(StowageError);
    expect(missing.message).toMatch(/cannot read key file/);
    await expect(writeArchive(streams, { encryption: { key: randomBytes(31) } })).rejects.toThrow(
      /key must be 32 bytes/,
    );
  });

  it('two archives with the same key file get different keys (fresh salt)', async () => {
    const key = randomBytes(32);
    const data: StreamSpec[] = [{ name: 'same', data: Buffer.alloc(4096, 1) }];
    const one = await writeArchive(data, { encryption: { key }, compression: 'none' });
    const two = await writeArchive(data, { encryption: { key }, compression: 'none' });
    expect(one.subarray(16, 32).equals(two.subarray(16, 32))).toBe(false);
    expect(one.subarray(200, 1000).equals(two.subarray(200, 1000))).toBe(false);
    // Encrypted frames do not show the plaintext.
    expect(one.includes(Buffer.alloc(64, 1))).toBe(false);
  });
});

describe('errors are typed', () => {
  it('a damaged trailer on a complete archive is corrupt, not truncated', async () => {
    const bytes = await writeArchive(streams);
    const bad = Buffer.from(bytes);
    bad[bad.length - 1]! ^= 0xff;
    const err = await open(bad).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptArchiveError);
    expect(err).not.toBeInstanceOf(TruncatedArchiveError);
  });

  it('writer options are validated', async () => {
    await expect(writeArchive(streams, { frameSize: 100 })).rejects.toThrow(/^frame size .* got 100$/);
    await expect(writeArchive(streams, { frameSize: 64 * 1024 * 1024 + 1 })).rejects.toThrow(/^frame size/);
    await expect(writeArchive(streams, { frameSize: 4096.5 })).rejects.toThrow(/^frame size/);
    // The footer's frames have the same bounds, said under their own name.
    await expect(writeArchive(streams, { footerFrameSize: 1023 })).rejects.toThrow(
      /^footer frame size must be between 1 KiB and 64 MiB, got 1023$/,
    );
    await expect(writeArchive(streams, { footerFrameSize: 64 * 1024 * 1024 + 1 })).rejects.toThrow(
      /^footer frame size/,
    );
    await expect(writeArchive(streams, { footerFrameSize: 1024 })).resolves.toBeInstanceOf(Buffer);
    await expect(writeArchive(streams, { compression: 0 })).rejects.toThrow(/compression level/);
    await expect(writeArchive(streams, { compression: 23 })).rejects.toThrow(/compression level/);
  });
});
