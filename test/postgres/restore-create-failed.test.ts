// A `restore --create` that fails or is interrupted after it began writing: the database this run
// created is dropped (it would look restored), unless --keep-failed; a target that existed before
// the run is never dropped. The template cache drops its half-loaded template the same way.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveContentKey } from '../../src/archive/content-key.js';
import { templateName } from '../../src/engines/postgres/template-cache.js';
import { StowageError } from '../../src/errors.js';
import { backup } from '../../src/ops/backup.js';
import { ArchiveHandle } from '../../src/ops/open-archive.js';
import { type RestoreOptions, restore } from '../../src/ops/restore.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { DatabasesToCreate, databaseExists } from './support.js';

let dir: string;
let source: TestPgDatabase;
let archive: string;
/** The same archive with one byte of a data frame flipped half-way through the file. */
let damaged: string;
const databases = new DatabasesToCreate();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-create-failed-'));
  source = await createPgDatabase('pg_create_failed_src');
  await withPgClient(source.url, (c) =>
    c.query(`CREATE TABLE a (id int PRIMARY KEY, t text); CREATE TABLE b (id int PRIMARY KEY, t text);
      INSERT INTO a SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
      INSERT INTO b SELECT g, md5(g::text) FROM generate_series(1, 100000) g;`),
  );
  archive = (await backup({ source: source.url, to: join(dir, 'src.stow'), preflight: false })).archive;
  damaged = join(dir, 'damaged.stow');
  await copyFile(archive, damaged);
  const file = await open(damaged, 'r+');
  try {
    const at = Math.floor((await stat(damaged)).size / 2);
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0xff;
    await file.write(byte, 0, 1, at);
  } finally {
    await file.close();
  }
});
afterAll(async () => {
  await databases.dropAll();
  await source?.drop();
  await rm(dir, { recursive: true, force: true });
});

const failure = (options: RestoreOptions) =>
  restore({ jobs: 2, safetyBackup: false, ...options }).then(
    () => {
      throw new Error('the restore succeeded');
    },
    (err: unknown) => err as StowageError,
  );

/** Aborts the restore, as a Ctrl-C does, once it has begun loading table data. */
function interruptAtData(): Pick<RestoreOptions, 'signal' | 'onProgress'> {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (e) => {
      if (e.type === 'phase' && e.phase === 'data')
        controller.abort(new StowageError('interrupted', 'interrupted by SIGINT'));
    },
  };
}

describe('restore --create that fails after writing', () => {
  it('drops the database it created when a data frame is corrupt, and says so', async () => {
    const { name, url } = databases.next('pg_create_failed');
    const err = await failure({ archive: damaged, target: url, engineOptions: { create: true } });
    expect(err.code).toBe('corrupt-frame');
    // The counts read as undone: they were applied, then dropped with the database.
    expect(err.message).toMatch(
      new RegExp(
        `; applied pre-data [^;]* before it failed; dropped database "${name}", which this restore had created \\(nothing of it is kept\\); pass --keep-failed to keep it$`,
      ),
    );
    expect(err.message).not.toMatch(/already applied/);
    expect(await databaseExists(name)).toBe(false);
  });

  it('interrupted while loading, it drops the database too and reports the interrupt', async () => {
    const { name, url } = databases.next('pg_create_failed');
    const err = await failure({
      archive,
      target: url,
      engineOptions: { create: true },
      ...interruptAtData(),
    });
    expect(err.code).toBe('interrupted');
    expect(err.message).toMatch(/^restore failed: interrupted by SIGINT; applied .* before it failed; /);
    expect(err.message).toContain(`dropped database "${name}"`);
    expect(await databaseExists(name)).toBe(false);
  });

  it('with keepFailed, the database stays with what was applied, and the message says it is partial', async () => {
    const { name, url } = databases.next('pg_create_failed');
    const err = await failure({
      archive: damaged,
      target: url,
      engineOptions: { create: true },
      keepFailed: true,
    });
    expect(err.message).toContain(`database "${name}", which this restore created, is kept as it is`);
    expect(await databaseExists(name)).toBe(true);
  });

  it('never drops a target that existed before the run, with or without --create', async () => {
    for (const create of [false, true]) {
      const { name, url } = databases.next('pg_create_failed');
      await withPgClient(pgUrlFor('postgres'), (c) => c.query(`CREATE DATABASE ${name}`));
      const err = await failure({ archive: damaged, target: url, engineOptions: { create } });
      expect(err.code).toBe('corrupt-frame');
      expect(err.message).toMatch(/already applied: pre-data/);
      expect(err.message).not.toMatch(/dropped/);
      expect(err.message).toMatch(new RegExp(`; "${name}" is partly restored$`));
      expect(err.hint).toMatch(
        /^the archive is damaged; .*, and pass --clean --yes to replace what was applied/,
      );
      expect(await databaseExists(name)).toBe(true);
    }
  });

  it('the CLI: one line, exit 1, and no database left', async () => {
    const { name, url } = databases.next('pg_create_failed');
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/bin.ts', 'restore', damaged, url, '--create', '--yes'],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, STOWAGE_DEBUG: '' } },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('stowage:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/corrupt frame .*; dropped database ".*", which this restore had created/);
    expect(await databaseExists(name)).toBe(false);
  });
});

describe('restore --template-cache whose load fails', () => {
  it('drops the half-loaded template when interrupted, so none is left on the server', async () => {
    const handle = await ArchiveHandle.open(archive, {});
    const loading = `${templateName(archiveContentKey(handle.reader.manifest, {}))}_load`;
    await handle.close();
    databases.add(loading);
    const { name, url } = databases.next('pg_create_failed');
    const err = await failure({ archive, target: url, templateCache: true, ...interruptAtData() });
    expect(err.code).toBe('interrupted');
    expect(await databaseExists(loading)).toBe(false);
    expect(await databaseExists(name)).toBe(false);
  });
});
