// Side records (verification results, run records) must neither leak what an
// encrypted archive holds, nor fail a command when they cannot be written, nor
// tell a stale story in `status` (issue 15).
import { mkdir, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFromUrl, safeName } from '../../src/catalog/naming.js';
import { readAllRunRecords, recordRun, writeRunRecord } from '../../src/catalog/run-record.js';
import { parseDaemonConfig, resolveJobs } from '../../src/ops/daemon-config.js';
import { list } from '../../src/ops/list.js';
import { runJob } from '../../src/ops/run-job.js';
import { status } from '../../src/ops/status.js';
import { verify } from '../../src/ops/verify.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import type { Repository } from '../../src/store/repository.js';
import { runCli } from '../cli/run-cli.js';
import { createPgDatabase, withPgClient } from '../support/pg.js';
import { addTestArchive } from './make-archive.js';

let dir: string;
let savedState: string | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-records-'));
  // The local fallback for run records goes here, not into the real ~/.local/state.
  savedState = process.env.XDG_STATE_HOME;
  process.env.XDG_STATE_HOME = join(dir, 'state');
});
afterAll(async () => {
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
  await rm(dir, { recursive: true, force: true });
});

const now = new Date('2026-11-21T12:00:00Z');
const key = { passphrase: 'correct horse' };

async function flipByteAt(path: string, offset: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, offset);
    b[0] = b[0]! ^ 0xff;
    await handle.write(b, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

describe('verification records of encrypted archives', () => {
  it('hold no table names or counts, passed or failed, and list shows none without the key', async () => {
    const path = join(dir, 'encrypted');
    const repository = new LocalRepository(path);
    const streams = [{ name: 'public.salaries', data: Buffer.alloc(50_000, 3), items: 4242 }];
    const good = await addTestArchive(repository, {
      startedAt: now,
      encryption: key,
      streams,
      compression: 'none',
    });
    const bad = await addTestArchive(repository, {
      startedAt: new Date(now.getTime() - 3_600_000),
      encryption: key,
      streams,
      compression: 'none',
    });
    await flipByteAt(join(path, bad), 20_000);

    const passed = await verify({ archive: join(path, good), encryption: key });
    expect(passed.ok).toBe(true);
    expect(passed.streams[0]?.items).toBe(4242); // the caller, who has the key, still sees everything
    const failed = await verify({ archive: join(path, bad), encryption: key });
    expect(failed.ok).toBe(false);
    expect(failed.problems.join(' ')).toContain('public.salaries');

    for (const name of [good, bad]) {
      const text = await readFile(join(path, `${name}.verify.json`), 'utf8');
      expect(text).not.toContain('salaries');
      expect(text).not.toContain('4242');
      expect(JSON.parse(text)).toMatchObject({ contentsWithheld: true });
    }
    const json = (await runCli(['list', path, '--json'])).stdout;
    expect(json).not.toContain('salaries');
    expect(json).not.toContain('4242');
    const listed = await list({ repository: path });
    expect(listed.map((a) => a.verification?.ok)).toEqual([false, true]);
  });
});

describe('verify in a repository it cannot write to', () => {
  it('reports the check result and warns about the record instead of failing', async () => {
    const path = join(dir, 'read-only');
    const repository = new LocalRepository(path);
    const name = await addTestArchive(repository, { startedAt: now });
    // Tests run as root, for whom permissions do not stop a write: a folder where the record must go does.
    await mkdir(join(path, `${name}.verify.json`));
    const result = await verify({ archive: join(path, name) });
    expect(result.ok).toBe(true);
    expect(result.recordWarning).toMatch(/could not record/);

    const cli = await runCli(['verify', join(path, name)]);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toMatch(/warning: could not record the result/);
    expect(cli.stdout).toMatch(/verified /);
  });
});

/** A repository whose small-file writes fail, as on a full disk or an S3 outage; reads still work. */
function failingWrites(inner: Repository): Repository {
  return Object.assign(Object.create(inner) as Repository, {
    url: inner.url,
    writeText: async () => {
      throw new Error('no space left on device');
    },
  });
}

describe('run records that cannot be written', () => {
  it('are kept locally with a warning, so status does not show the older success as the last run', async () => {
    const path = join(dir, 'full');
    const repository = new LocalRepository(path);
    await addTestArchive(repository, { startedAt: now });
    await writeRunRecord(repository, {
      database: 'shop',
      status: 'success',
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
    });
    const warning = await recordRun(failingWrites(repository), {
      database: 'shop',
      status: 'failure',
      startedAt: '2026-11-22T02:00:00.000Z',
      finishedAt: '2026-11-22T02:00:05.000Z',
      error: 'no space left on device',
    });
    expect(warning).toMatch(/could not write the run record .* kept it in /);
    const runs = await readAllRunRecords(repository);
    expect(runs.get('shop')).toMatchObject({ status: 'failure', lastSuccessAt: now.toISOString() });
    const health = await status({ repository: path, now: new Date('2026-11-22T03:00:00Z') });
    expect(health.ok).toBe(false);
    expect(health.databases[0]?.problems.join(' ')).toMatch(/last run failed/);

    // A later run that reaches the repository again wins over the local fallback.
    await writeRunRecord(repository, {
      database: 'shop',
      status: 'success',
      startedAt: '2026-11-23T02:00:00.000Z',
      finishedAt: '2026-11-23T02:00:05.000Z',
    });
    expect((await readAllRunRecords(repository)).get('shop')?.status).toBe('success');
  });
});

describe('a daemon job whose run record cannot be written', () => {
  it('logs the warning, and status still shows the run', async () => {
    const db = await createPgDatabase('stowage_records');
    try {
      await withPgClient(db.url, (c) => c.query('CREATE TABLE t (id int); INSERT INTO t VALUES (1)'));
      const path = join(dir, 'daemon');
      // Where the repository's run record must go sits a folder: the write fails as on a full disk.
      await mkdir(join(path, '.stowage', 'runs', `${safeName(db.name)}.json`), { recursive: true });
      const config = parseDaemonConfig(
        JSON.stringify({
          jobs: [{ name: 'nightly', source: db.url, repository: path, schedule: '0 2 * * *' }],
        }),
        'stowage.json',
      );
      const lines: string[] = [];
      const outcome = await runJob(resolveJobs(config)[0]!, { log: (line) => lines.push(line) });
      expect(outcome.status).toBe('success');
      expect(lines.join('\n')).toMatch(/job nightly: warning: could not write the run record .* kept it in /);
      const health = await status({ repository: path });
      expect(health.databases.find((d) => d.database === safeName(db.name))?.lastRun?.status).toBe('success');
    } finally {
      await db.drop();
    }
  });
});

describe('failed attempts that never reached a server', () => {
  it('write no run record; status --forget clears a database', async () => {
    const path = join(dir, 'phantom');
    const repository = new LocalRepository(path);
    await addTestArchive(repository, { startedAt: new Date() });
    const run = await runCli(['backup', 'postgres://app:pw@db.example:notaport/shop', '--to', path]);
    expect(run.code).not.toBe(0);
    expect(await readdir(join(path, '.stowage', 'runs')).catch(() => [])).toEqual([]);
    expect((await runCli(['status', path])).code).toBe(0);

    await writeRunRecord(repository, {
      database: 'gone',
      status: 'failure',
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
    });
    expect((await runCli(['status', path])).code).toBe(1);
    const forget = await runCli(['status', path, '--forget', 'gone']);
    expect(forget.code).toBe(0);
    expect(forget.stdout).toMatch(/forgot the run records of gone/);
    expect((await runCli(['status', path])).code).toBe(0);
  });

  it('names the database of a multi-host MongoDB URL rather than a phantom "database"', () => {
    expect(databaseFromUrl('mongodb://a:27017,b:27017/shop?replicaSet=rs0')).toBe('shop');
    expect(databaseFromUrl('mongodb://a:27017,b:27017/')).toBe('all');
  });
});
