import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunRecord } from '../../src/catalog/run-record.js';
import { StowageError } from '../../src/errors.js';
import { list } from '../../src/ops/list.js';
import { StowageMetrics } from '../../src/ops/metrics.js';
import { prune } from '../../src/ops/prune.js';
import { status } from '../../src/ops/status.js';
import { verify } from '../../src/ops/verify.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { openRepository } from '../../src/store/open-repository.js';
import { createTestBucket, s3Options } from '../support/s3.js';
import { addTestArchive, bsonDocuments } from './make-archive.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-ops-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const day = 86_400_000;
const now = new Date('2026-11-21T12:00:00Z');

async function freshRepo(name: string) {
  const path = join(dir, name);
  return { path, repository: new LocalRepository(path) };
}

describe('list', () => {
  it('lists archives oldest first with manifest details, and skips foreign and unfinished files', async () => {
    const { path, repository } = await freshRepo('list');
    await addTestArchive(repository, {
      startedAt: new Date(now.getTime() - day),
      note: 'nightly',
      durationMs: 4200,
    });
    await addTestArchive(repository, { startedAt: new Date(now.getTime() - 2 * day), kind: 'manual' });
    await addTestArchive(repository, {
      database: 'crm',
      engine: 'mongodb',
      startedAt: now,
      streams: [{ name: 'crm.people', data: bsonDocuments(5), items: 5 }],
    });
    await writeFile(join(path, 'notes.txt'), 'not an archive');
    await writeFile(join(path, 'shop-20261121-010000.stow.partial'), 'unfinished');
    const archives = await list({ repository: path });
    expect(archives.map((a) => a.name)).toEqual([
      'shop-20261119-120000-manual.stow',
      'shop-20261120-120000.stow',
      'crm-20261121-120000.stow',
    ]);
    const nightly = archives[1]!;
    expect(nightly).toMatchObject({
      database: 'shop',
      engine: 'postgres',
      kind: 'scheduled',
      note: 'nightly',
      items: 10,
      streams: 1,
      durationMs: 4200,
    });
    expect(nightly.location).toBe(join(path, 'shop-20261120-120000.stow'));
    expect(archives[0]?.kind).toBe('manual');
    expect(archives[2]).toMatchObject({ engine: 'mongodb', database: 'crm', items: 5 });
    expect(await list({ repository: path, database: 'crm' })).toHaveLength(1);
  });

  it('lists encrypted archives from their names when no key is given, and fully with it', async () => {
    const { path, repository } = await freshRepo('encrypted');
    await addTestArchive(repository, { startedAt: now, encryption: { passphrase: 'correct horse' } });
    const [withoutKey] = await list({ repository: path });
    expect(withoutKey).toMatchObject({
      database: 'shop',
      encrypted: true,
      unreadable: expect.stringMatching(/encrypted/),
    });
    const [withKey] = await list({ repository: path, encryption: { passphrase: 'correct horse' } });
    expect(withKey).toMatchObject({ encrypted: true, items: 10 });
    expect(withKey?.unreadable).toBeUndefined();
  });

  it('says clearly when the repository folder does not exist', async () => {
    await expect(list({ repository: join(dir, 'missing') })).rejects.toThrow(
      /repository folder does not exist/,
    );
  });
});

describe('verify', () => {
  it('passes an intact archive and records the result beside it', async () => {
    const { path, repository } = await freshRepo('verify-ok');
    const name = await addTestArchive(repository, {
      startedAt: now,
      frameSize: 1024,
      streams: [
        { name: 'public.a', data: Buffer.alloc(10_000, 1), items: 3 },
        { name: 'public.b', data: Buffer.alloc(0), items: 0 },
      ],
    });
    const result = await verify({ archive: join(path, name) });
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.streams.map((s) => [s.name, s.ok, s.frames])).toEqual([
      ['public.a', true, 10],
      ['public.b', true, 0],
    ]);
    const record = JSON.parse(await readFile(join(path, `${name}.verify.json`), 'utf8'));
    expect(record).toMatchObject({ archive: name, ok: true, level: 'frames', streams: 2, items: 3 });
    const [listed] = await list({ repository: path });
    expect(listed?.verification?.ok).toBe(true);
  });

  it('finds a flipped byte in a data frame and records the failure', async () => {
    const { path, repository } = await freshRepo('verify-corrupt');
    const name = await addTestArchive(repository, {
      startedAt: now,
      compression: 'none',
      streams: [{ name: 'public.a', data: Buffer.alloc(50_000, 7), items: 5 }],
    });
    const file = join(path, name);
    const handle = await open(file, 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, 20_000);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, 20_000);
    await handle.close();
    const result = await verify({ archive: file });
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/public\.a|frame/);
    const [listed] = await list({ repository: path });
    expect(listed?.verification?.ok).toBe(false);
  });

  it('reports a truncated archive as a failed verification', async () => {
    const { path, repository } = await freshRepo('verify-truncated');
    const name = await addTestArchive(repository, {
      startedAt: now,
      compression: 'none',
      frameSize: 4096,
      streams: [{ name: 'public.a', data: Buffer.alloc(40_000, 7), items: 5 }],
    });
    await truncate(join(path, name), 20_000);
    const result = await verify({ archive: join(path, name) });
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatch(/truncated archive/);
  });

  it('throws, and records nothing, on a wrong key or a missing archive', async () => {
    const { path, repository } = await freshRepo('verify-key');
    const name = await addTestArchive(repository, { startedAt: now, encryption: { passphrase: 'right' } });
    await expect(verify({ archive: join(path, name), encryption: { passphrase: 'wrong' } })).rejects.toThrow(
      /wrong passphrase or key/,
    );
    await expect(verify({ archive: join(path, name) })).rejects.toThrow(/no passphrase or key was given/);
    expect((await repository.listFiles()).map((f) => f.name)).toEqual([name]);
    expect((await verify({ archive: join(path, name), encryption: { passphrase: 'right' } })).ok).toBe(true);
    await expect(verify({ archive: join(path, 'nope.stow') })).rejects.toThrow(/no such file/);
  });
});

describe('prune', () => {
  it('dry-runs, then deletes what no rule keeps, with the verification records', async () => {
    const { path, repository } = await freshRepo('prune');
    const names: string[] = [];
    for (let i = 0; i < 6; i++)
      names.push(await addTestArchive(repository, { startedAt: new Date(now.getTime() - i * day) }));
    const manual = await addTestArchive(repository, {
      startedAt: new Date(now.getTime() - 50 * day),
      kind: 'manual',
    });
    // The oldest scheduled one is the newest verified: it must survive.
    await verify({ archive: join(path, names[5]!) });
    const dry = await prune({ repository: path, policy: { keepLast: 2 }, dryRun: true });
    expect(dry.deleted.sort()).toEqual([names[2], names[3], names[4]].sort());
    expect(dry.decisions.find((d) => d.name === names[5])?.reasons).toEqual(['newest verified backup']);
    expect((await repository.listFiles()).filter((f) => f.name.endsWith('.stow'))).toHaveLength(7);

    const done = await prune({ repository: path, policy: { keepLast: 2 } });
    expect(done.deleted.sort()).toEqual(dry.deleted.sort());
    const left = (await repository.listFiles()).map((f) => f.name).sort();
    expect(left).toEqual([names[0], names[1], names[5], `${names[5]}.verify.json`, manual].sort());
  });

  it('refuses a policy that would delete every backup, and deletes nothing', async () => {
    const { path, repository } = await freshRepo('prune-all');
    await addTestArchive(repository, { startedAt: now });
    const err = await prune({ repository: path, policy: { keepDaily: 0, keepLast: 0 } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StowageError);
    expect((err as Error).message).toMatch(/keeps nothing/);
    expect(await repository.listFiles()).toHaveLength(1);
  });
});

describe('status and metrics', () => {
  it('is healthy for a fresh, verified backup and unhealthy when stale or after a failed run', async () => {
    const { path, repository } = await freshRepo('status');
    const fresh = await addTestArchive(repository, { startedAt: new Date(now.getTime() - 3_600_000) });
    await addTestArchive(repository, { database: 'crm', startedAt: new Date(now.getTime() - 2 * day) });
    await verify({ archive: join(path, fresh) });
    await writeRunRecord(repository, {
      database: 'billing',
      status: 'failure',
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      error: 'cannot connect to postgres://app:***@db/billing',
    });
    const result = await status({ repository: path, now });
    expect(result.ok).toBe(false);
    const byDb = Object.fromEntries(result.databases.map((d) => [d.database, d]));
    expect(byDb.shop).toMatchObject({
      ok: true,
      verification: 'passed',
      archives: 1,
      ageMs: 3_600_000 - 1500,
    });
    expect(byDb.crm?.ok).toBe(false);
    expect(byDb.crm?.problems[0]).toMatch(/newest backup is 1d 23h old \(limit 1d 1h\)/);
    expect(byDb.billing?.problems).toEqual([
      'no backup in the repository',
      expect.stringMatching(/last run failed at .*: cannot connect/),
    ]);
    expect((await status({ repository: path, now, database: 'shop' })).ok).toBe(true);
    expect((await status({ repository: path, now, database: 'crm', maxAgeMs: 3 * day })).ok).toBe(true);

    const metrics = new StowageMetrics();
    metrics.observeStatus(result.repository, result.databases);
    const text = await metrics.text();
    expect(text).toContain(`stowage_backup_healthy{repository="${result.repository}",database="shop"} 1`);
    expect(text).toContain(`stowage_backup_healthy{repository="${result.repository}",database="crm"} 0`);
    expect(text).toContain(
      `stowage_backup_last_verification_success{repository="${result.repository}",database="shop"} 1`,
    );
    expect(text).toContain(
      `stowage_backup_last_run_success{repository="${result.repository}",database="billing"} 0`,
    );
    expect(text).toMatch(/stowage_backup_last_success_timestamp_seconds\{[^}]*database="shop"\} 17952\d+/);
  });

  it('works the same on an S3 repository', async () => {
    const bucket = await createTestBucket('stowage-ops');
    const url = `s3://${bucket}/nightly`;
    const repository = await openRepository(url, { stores: { s3: s3Options() } });
    const names: string[] = [];
    for (let i = 0; i < 4; i++)
      names.push(await addTestArchive(repository, { startedAt: new Date(now.getTime() - i * day) }));
    const verified = await verify({ archive: `${url}/${names[0]}`, stores: { s3: s3Options() } });
    expect(verified.ok).toBe(true);
    expect(verified.archive).toBe(`${url}/${names[0]}`);
    const listed = await list({ repository: url, stores: { s3: s3Options() } });
    expect(listed.map((a) => a.name)).toEqual([...names].reverse());
    expect(listed.at(-1)?.verification?.ok).toBe(true);
    expect((await status({ repository: url, stores: { s3: s3Options() }, now })).ok).toBe(true);
    const pruned = await prune({ repository: url, stores: { s3: s3Options() }, policy: { keepLast: 1 } });
    expect(pruned.deleted).toHaveLength(3);
    expect((await repository.listFiles()).map((f) => f.name).sort()).toEqual(
      [names[0], `${names[0]}.verify.json`].sort(),
    );
    await repository.close();
  });
});
