// Connection strings as psql and pg_dump take them: libpq key=value pairs and
// URLs that lean on the PG* environment, through the whole CLI (engine
// choice, archive naming, probes, the backup and restore themselves).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksums } from '../postgres/support.js';
import { createPgDatabase, keywordConnString, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { runCli } from './run-cli.js';

let dir: string;
let source: TestPgDatabase;
const made: TestPgDatabase[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'connstr-test-'));
  source = await createPgDatabase('connstr_src');
  made.push(source);
  await withPgClient(source.url, (c) =>
    c.query(
      `CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 500) g`,
    ),
  );
});
afterAll(async () => {
  await Promise.all(made.map((d) => d.drop()));
  await rm(dir, { recursive: true, force: true });
});

/**
 * The password given on the command line shows nowhere in `output`, whatever it is: the temporary
 * folder's path (it may contain the password as a word, e.g. "stowage" in stowage-connstr-…) is
 * taken out first, and the password must not stand after a `password=` keyword either.
 */
function expectPasswordHidden(output: string, url: string): void {
  const password = decodeURIComponent(new URL(url).password);
  expect(output).toContain('password=***');
  expect(output).not.toMatch(/password\s*=\s*(?!\*\*\*)\S/);
  if (password) expect(output.split(dir).join('<dir>')).not.toContain(password);
}

describe('connection strings', () => {
  it('key=value pairs back up and restore, and name the archive after dbname', async () => {
    const repo = join(dir, 'kv');
    const backup = await runCli([
      'backup',
      keywordConnString(source.url, source.name),
      '--to',
      repo,
      '--json',
    ]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toContain('holds a password on the command line');
    expectPasswordHidden(backup.stderr, source.url);
    const [archive] = (await readdir(repo)).filter((f) => f.endsWith('.stow'));
    expect(archive?.startsWith(`${source.name}-`)).toBe(true);

    const target = await createPgDatabase('connstr_dst');
    made.push(target);
    const restore = await runCli([
      'restore',
      join(repo, archive as string),
      keywordConnString(target.url, target.name),
      '--yes',
      '--no-safety-backup',
    ]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
  });

  it('a URL with no host or user takes them from the PG* environment, as psql does', async () => {
    const u = new URL(source.url);
    const saved = { ...process.env };
    Object.assign(process.env, {
      PGHOST: u.hostname,
      PGPORT: u.port,
      PGUSER: decodeURIComponent(u.username),
      PGPASSWORD: decodeURIComponent(u.password),
    });
    try {
      const repo = join(dir, 'env');
      const backup = await runCli(['backup', `postgresql:///${source.name}`, '--to', repo]);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stderr).not.toContain('holds a password on the command line');
      expect((await readdir(repo)).some((f) => f.startsWith(`${source.name}-`) && f.endsWith('.stow'))).toBe(
        true,
      );
    } finally {
      for (const key of ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('an unreadable string is a usage error that shows what was typed, password hidden', async () => {
    const bad = await runCli(['backup', "host=db password='s3cret' dbname", '--to', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('host=db password=*** dbname');
    expect(bad.stderr).not.toContain('s3cret');
    expect(bad.stderr).not.toContain('unparseable');
  });
});
