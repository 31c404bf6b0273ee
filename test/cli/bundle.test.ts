import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { bundleFilesLoadedBy, writeLoadLogHook } from './bundle-loads.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');
// Inside the repository, so the bundle finds the external packages in node_modules as the installed bin does.
const work = join(repoRoot, '.tmp', `bundle-test-${process.pid}`);
const bundleDir = join(work, 'bundle');

/** Runs the bundled CLI as a process, as `package.json` `bin` does. */
async function stowage(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(bundleDir, 'bin.js'), ...args], { cwd: work, timeout: 120_000 });
}

describe('the bundled CLI (scripts/bundle-cli.mjs)', () => {
  let source: TestPgDatabase;
  let target: TestPgDatabase;

  beforeAll(async () => {
    await mkdir(work, { recursive: true });
    await run(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', bundleDir], {
      timeout: 120_000,
    });
    source = await createPgDatabase('bundle_src');
    target = await createPgDatabase('bundle_dst');
    await withPgClient(source.url, (client) =>
      client.query(
        `CREATE TABLE items (id int PRIMARY KEY, label text);
         INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5000) g;`,
      ),
    );
  }, 180_000);

  afterAll(async () => {
    await source?.drop();
    await target?.drop();
    await rm(work, { recursive: true, force: true });
  });

  it('is what package.json bin points at, with the codec worker beside its entry', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      bin: { stowage: string };
    };
    expect(pkg.bin.stowage).toBe('./dist/bundle/bin.js');
    const files = await readdir(bundleDir);
    expect(files).toContain('bin.js');
    expect(files).toContain('frame-worker.js');
  });

  it('prints the package version (src/version.ts reads ../package.json, which is not beside the bundle)', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await stowage('--version');
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('backs up through codec worker threads and restores, loading the engine and drivers on demand', async () => {
    const repository = join(work, 'repository');
    // Level 12 always gets at least one codec worker thread, started with the first frame (codec-pool.ts:
    // inlineFirstBytes), so frame-worker.js must load.
    const backup = await stowage('backup', source.url, '--to', repository, '--compression', '12', '--json');
    const summary = JSON.parse(backup.stdout) as { archive: string };
    const verify = await stowage('verify', summary.archive, '--json');
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    const restore = await stowage('restore', summary.archive, target.url, '--yes', '--no-safety-backup');
    // No driver deprecation on the user's stderr (pg 8 warned of statements queued in it: connect.ts inTurn).
    for (const { stderr } of [backup, verify, restore]) expect(stderr).not.toMatch(/DeprecationWarning/);
    const rows = await withPgClient(target.url, (client) =>
      client.query<{ n: string; sum: string }>('SELECT count(*) AS n, sum(id) AS sum FROM items'),
    );
    expect(rows.rows[0]).toEqual({ n: '5000', sum: String((5000 * 5001) / 2) });
  }, 180_000);

  it("loads what it imports on demand (the MongoDB driver, a passphrase file) without Node's experimental-loader warning", async () => {
    const passphrase = join(work, 'passphrase');
    await writeFile(passphrase, 'bundle-test-passphrase\n');
    const encrypted = await stowage(
      'backup',
      source.url,
      '--to',
      join(work, 'encrypted.stow'),
      '--passphrase-file',
      passphrase,
    );
    // Nothing listens on port 1: the driver loads (import('mongodb')), then the connection is refused.
    const mongo = await stowage('backup', 'mongodb://127.0.0.1:1/x', '--to', join(work, 'mongo.stow')).then(
      () => {
        throw new Error('a backup from a closed port succeeded');
      },
      (err: { stderr: string }) => err,
    );
    expect(mongo.stderr).toMatch(/^stowage: /m);
    for (const stderr of [encrypted.stderr, mongo.stderr]) {
      expect(stderr).not.toMatch(/ExperimentalWarning|USE_MAIN_CONTEXT_DEFAULT_LOADER/);
    }
  }, 120_000);

  it('authenticates with node:crypto, not WebCrypto (its first use costs a backup ~20 ms of CPU)', async () => {
    // The test server asks for a SCRAM-SHA-256 password; WebCrypto's subtle operations fail here.
    const noSubtle = join(work, 'no-subtle.cjs');
    await writeFile(
      noSubtle,
      `const { subtle } = require('node:crypto').webcrypto;
for (const m of ['importKey', 'sign', 'digest', 'deriveBits']) subtle[m] = () => { throw new Error('WebCrypto ' + m); };\n`,
    );
    const { stdout } = await run(
      process.execPath,
      [
        '-r',
        noSubtle,
        join(bundleDir, 'bin.js'),
        'backup',
        source.url,
        '--to',
        join(work, 'scram'),
        '--json',
      ],
      { cwd: work, timeout: 120_000 },
    );
    expect(JSON.parse(stdout)).toMatchObject({ items: 5000 });
  }, 120_000);

  it('a PostgreSQL backup connects before the operations and the rest of the engine load (the pgconnect group)', async () => {
    // The server forks the session's process and authenticates while they load (issue 14).
    const hook = join(work, 'connect-order.cjs');
    const log = join(work, 'connect-order.txt');
    await writeFile(
      hook,
      `const { appendFileSync } = require('node:fs');
const { basename } = require('node:path');
const note = (what) => appendFileSync(process.env.ORDER_LOG, what + '\\n');
require('node:diagnostics_channel').subscribe('stowage:code-cache', (e) => { if (e.cache !== 'written') note(basename(e.file)); });
const net = require('node:net');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { note('connect'); return connect.apply(this, args); };
`,
    );
    await rm(log, { force: true });
    await run(
      process.execPath,
      ['-r', hook, join(bundleDir, 'bin.js'), 'backup', source.url, '--to', join(work, 'connect-order.stow')],
      { cwd: work, timeout: 120_000, env: { ...process.env, ORDER_LOG: log } },
    );
    const order = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    const beforeConnecting = order.slice(0, order.indexOf('connect'));
    expect(order).toContain('connect');
    expect(beforeConnecting.some((f) => f.startsWith('pgconnect-'))).toBe(true);
    expect(beforeConnecting.filter((f) => /^(ops|postgres|codec)-/.test(f))).toEqual([]);
  }, 120_000);

  it('ends a run through process.exit once its loop has run dry, with its exit status', async () => {
    // --trace-exit reports every process.exit(); a natural end (the V8 heap torn down first) reports none.
    const traced = (...args: string[]) =>
      run(process.execPath, ['--trace-exit', join(bundleDir, 'bin.js'), ...args], {
        cwd: work,
        timeout: 120_000,
      }).then(
        ({ stderr }) => ({ code: 0, stderr }),
        (err: { code: number; stderr: string }) => err,
      );
    const archive = join(work, 'ended.stow');
    const ok = await traced('backup', source.url, '--to', archive);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/Exited the environment with code 0/);
    expect(ok.stderr).toContain(`backed up ${source.name}`);
    const verify = await stowage('verify', archive, '--json');
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    const missing = await traced('verify', join(work, 'no-such.stow'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^stowage: /m);
    expect(missing.stderr).toMatch(/Exited the environment with code 1/);
  }, 120_000);

  it('a PostgreSQL backup and restore load their code from a few files (scripts/bundle-regroup.mjs)', async () => {
    // Each file costs a read, a compile and its cache's check; esbuild's split alone made a small
    // backup load 48 of them. The bundle's loader publishes every file a run loads.
    await writeLoadLogHook(work);
    const loads = async (...args: string[]) => {
      const { files, exit } = await bundleFilesLoadedBy(work, bundleDir, args);
      expect(exit, `stowage ${args[0]}`).toBe(0);
      return new Set(files);
    };
    const archive = join(work, 'few-files.stow');
    const backupFiles = await loads('backup', source.url, '--to', archive);
    const restoreFiles = await loads(
      'restore',
      archive,
      target.url,
      '--clean',
      '--yes',
      '--no-safety-backup',
    );
    expect(backupFiles.size).toBeGreaterThan(3);
    expect(backupFiles.size).toBeLessThanOrEqual(20);
    expect(restoreFiles.size).toBeLessThanOrEqual(20);
    const rows = await withPgClient(target.url, (client) =>
      client.query<{ n: string }>('SELECT count(*) AS n FROM items'),
    );
    expect(rows.rows[0]).toEqual({ n: '5000' });
  }, 180_000);

  it('a backup runs from the code cache the first backup wrote, and a damaged or unwritable cache changes nothing but time', async () => {
    // V8 compiles each function on its first call; the caches (src/cli/code-cache.ts) keep what a run compiled.
    await writeLoadLogHook(work);
    const caches = join(work, 'code-caches');
    const backup = async (name: string, cacheRoot = caches) => {
      const archive = join(work, `${name}.stow`);
      const run = await bundleFilesLoadedBy(work, bundleDir, ['backup', source.url, '--to', archive], {
        NODE_COMPILE_CACHE: cacheRoot,
      });
      expect(run.exit, name).toBe(0);
      const verify = await stowage('verify', archive, '--json');
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
      return new Set(run.events.map((e) => e.cache));
    };
    expect(await backup('cache-first')).toEqual(new Set(['absent', 'written']));
    expect(await backup('cache-second')).toEqual(new Set(['accepted']));
    const folders = await readdir(join(caches, 'stowage-code-cache'), {
      recursive: true,
      withFileTypes: true,
    });
    const files = folders.filter((f) => f.isFile() && f.name.endsWith('.cache'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const bytes = await readFile(join(f.parentPath, f.name));
      bytes[bytes.length >> 1]! ^= 0xff;
      await writeFile(join(f.parentPath, f.name), bytes);
    }
    expect(await backup('cache-damaged')).toEqual(new Set(['rejected', 'written']));
    expect(await backup('cache-rewritten')).toEqual(new Set(['accepted']));
    // A cache folder that cannot be made (a file where its folder would be; permissions would not stop
    // root). Node's own compile cache beside it still works.
    const unwritable = join(work, 'unwritable-caches');
    await mkdir(unwritable, { recursive: true });
    await writeFile(join(unwritable, 'stowage-code-cache'), '');
    expect(await backup('cache-unwritable', unwritable)).toEqual(new Set(['absent']));
  }, 180_000);
});
