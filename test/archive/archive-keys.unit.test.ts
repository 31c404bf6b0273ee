// One key derivation per archive salt and operation (issue 16, "one archive
// handle"): the key cache is passed through every step instead of each step
// stretching the passphrase again.
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveKeys, MAX_CONCURRENT_DERIVATIONS } from '../../src/archive/archive-keys.js';
import { deriveArchiveKey } from '../../src/archive/keys.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { WrongKeyError } from '../../src/errors.js';
import { inspect } from '../../src/ops/inspect.js';
import { list } from '../../src/ops/list.js';
import { prune } from '../../src/ops/prune.js';
import { status } from '../../src/ops/status.js';
import { verify } from '../../src/ops/verify.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { addTestArchive } from '../ops/make-archive.js';
import { countingKeys } from '../support/counting-keys.js';

const passphrase = { passphrase: 'correct horse battery staple' };

let dir: string;
let repo: string;
let names: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-keys-'));
  repo = join(dir, 'backups');
  const repository = new LocalRepository(repo);
  names = [];
  const day = 86_400_000;
  for (let i = 0; i < 3; i++) {
    names.push(
      await addTestArchive(repository, {
        encryption: passphrase,
        startedAt: new Date(Date.UTC(2026, 10, 18) + i * day),
      }),
    );
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('one key derivation per archive salt', () => {
  it('list of 3 archives sharing a passphrase derives 3 keys, one per salt, and none the second time', async () => {
    const { keys, salts } = countingKeys(passphrase);
    const archives = await list({ repository: repo, encryption: keys });
    expect(archives.map((a) => a.items)).toEqual([10, 10, 10]);
    expect(archives.every((a) => a.unreadable === undefined)).toBe(true);
    expect(keys.derivations).toBe(3);
    expect(new Set(salts).size).toBe(3);
    // status and prune in the same operation read the same archives: no key is stretched again.
    await status({ repository: repo, encryption: keys });
    await prune({ repository: repo, encryption: keys, policy: { keepLast: 3 }, dryRun: true });
    expect(keys.derivations).toBe(3);
    expect(salts).toHaveLength(3);
  });

  it('a plain passphrase still works for list, and a wrong one is still refused per archive', async () => {
    const archives = await list({ repository: repo, encryption: passphrase });
    expect(archives.map((a) => a.items)).toEqual([10, 10, 10]);
    const wrong = await list({ repository: repo, encryption: { passphrase: 'wrong' } });
    expect(wrong.map((a) => a.unreadable)).toEqual(Array(3).fill('wrong passphrase or key'));
  });

  it('verify (manifest, then every frame front to back) derives the key once', async () => {
    const { keys, salts } = countingKeys(passphrase);
    const result = await verify({ archive: join(repo, names[0]!), encryption: keys, record: false });
    expect(result.ok).toBe(true);
    expect(salts).toHaveLength(1);
    // The caller's next step on the same archive (inspect after verify) reuses the key.
    const inspected = await inspect(join(repo, names[0]!), { encryption: keys });
    expect(inspected.manifest.streams).toHaveLength(1);
    expect(keys.derivations).toBe(1);
  });

  it('a truncated archive is read (header) and scanned (recovery) with one derivation', async () => {
    const cut = join(dir, 'cut');
    const repository = new LocalRepository(cut);
    const name = await addTestArchive(repository, { encryption: passphrase });
    const path = join(cut, name);
    await truncate(path, (await stat(path)).size - 40);
    const { keys, salts } = countingKeys(passphrase);
    const [info] = await list({ repository: cut, encryption: keys });
    expect(info?.health).toBe('damaged');
    expect(info?.unreadable).toMatch(/truncated|footer/);
    expect(salts).toHaveLength(1);
  });

  it('runs at most two derivations at once (each scrypt run holds 128 MiB), and every one finishes', async () => {
    let running = 0;
    let most = 0;
    const keys = new ArchiveKeys(passphrase, async (header, source) => {
      running++;
      most = Math.max(most, running);
      try {
        await new Promise((r) => setTimeout(r, 5));
        return await deriveArchiveKey(header, source);
      } finally {
        running--;
      }
    });
    const repository = new LocalRepository(repo);
    const headers = [];
    for (const name of names) {
      const reader = await ArchiveReader.open(await repository.openArchive(name), { encryption: passphrase });
      headers.push(reader.header);
      await reader.close();
    }
    // Three salts asked for at once, then again: three derivations, never more than two at a time.
    await Promise.all(headers.map((h) => keys.keyFor(h)));
    await Promise.all(headers.map((h) => keys.keyFor(h)));
    expect(MAX_CONCURRENT_DERIVATIONS).toBe(2);
    expect(most).toBe(2);
    expect(keys.derivations).toBe(3);
    expect(running).toBe(0);
  });

  it('archives opened at once share one pending derivation', async () => {
    const { keys, salts } = countingKeys(passphrase);
    const repository = new LocalRepository(repo);
    const readers = await Promise.all(
      [0, 1, 2].map(async () =>
        ArchiveReader.open(await repository.openArchive(names[1]!), { encryption: keys }),
      ),
    );
    for (const r of readers) await r.close();
    expect(salts).toHaveLength(1);
  });

  it('a failed derivation is not remembered, and a wrong key is refused from the cache too', async () => {
    const repository = new LocalRepository(repo);
    let calls = 0;
    const flaky = new ArchiveKeys(passphrase, async (header, source) => {
      calls++;
      if (calls === 1) throw new Error('key file busy');
      return deriveArchiveKey(header, source);
    });
    await expect(
      ArchiveReader.open(await repository.openArchive(names[2]!), { encryption: flaky }),
    ).rejects.toThrow('key file busy');
    const reader = await ArchiveReader.open(await repository.openArchive(names[2]!), { encryption: flaky });
    await reader.close();
    expect(calls).toBe(2);

    const wrong = new ArchiveKeys({ passphrase: 'wrong' });
    for (let i = 0; i < 2; i++) {
      await expect(
        ArchiveReader.open(await repository.openArchive(names[2]!), { encryption: wrong }),
      ).rejects.toBeInstanceOf(WrongKeyError);
    }
    expect(wrong.derivations).toBe(1);
  });
});
