// Results on stdout, logs on stderr; --json prints exactly one JSON object,
// failures included; exit statuses come from the one error table; a closed
// stdout ends the process quietly.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wantsJson } from '../../src/cli/main.js';
import { ERROR_CODES, EXIT, exitStatusFor } from '../../src/error-codes.js';
import { UsageError } from '../../src/errors.js';
import { parseDaemonConfig } from '../../src/ops/daemon-config.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { TOOL_VERSION } from '../../src/version.js';
import { addTestArchive } from '../ops/make-archive.js';
import { runCli } from './run-cli.js';

let dir: string;
let repo: string;
let archive: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-cli-output-'));
  repo = join(dir, 'backups');
  archive = join(repo, await addTestArchive(new LocalRepository(repo), { note: 'only' }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** stdout holds exactly one JSON object (one line) and nothing else. */
function oneJsonObject(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  const value = JSON.parse(lines[0]!) as unknown;
  expect(typeof value).toBe('object');
  return value as Record<string, unknown>;
}

function job(extra: string): string {
  return `jobs:\n  - name: shop\n    source: postgres://app@db/shop\n    repository: /tmp/r\n    schedule: "0 2 * * *"\n${extra}`;
}

describe('results on stdout, logs on stderr', () => {
  it('list, inspect, verify, status and prune print their results on stdout', async () => {
    const list = await runCli(['list', repo]);
    expect(list.code).toBe(0);
    // What `stowage list R | grep shop` sees.
    expect(list.stdout.split('\n').filter((l) => l.includes('shop'))).toHaveLength(1);
    const inspect = await runCli(['inspect', archive]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/public\.items\s+10 items/);
    expect(inspect.stderr).toBe('');
    const verify = await runCli(['verify', archive, '--no-record']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^verified .*\.stow$/m);
    const status = await runCli(['status', repo, '--max-age', '1d']);
    expect(status.stdout).toMatch(/shop/);
    const prune = await runCli(['prune', repo, '--keep-last', '1', '--dry-run']);
    expect(prune.code).toBe(0);
    expect(prune.stdout).toMatch(/dry run: 0 of 1 archive would be deleted, 1 kept/);
    expect(prune.stderr).toBe('');
  });
});

describe('--json prints exactly one JSON object, failures included', () => {
  it('a failure in the operation', async () => {
    const run = await runCli(['list', join(dir, 'missing'), '--json']);
    expect(run.code).toBe(1);
    expect(oneJsonObject(run.stdout)).toEqual({
      error: {
        code: 'not-found',
        message: expect.stringMatching(/repository folder does not exist/),
        hint: expect.any(String),
      },
    });
    // A person reading the terminal still gets the line.
    expect(run.stderr).toMatch(/^stowage: repository folder does not exist/);
  });

  it('a bad flag value, an unknown flag, --format json', async () => {
    const value = await runCli(['status', repo, '--max-age', 'soon', '--format', 'json']);
    expect(value.code).toBe(2);
    expect(oneJsonObject(value.stdout)).toMatchObject({
      error: { code: 'usage', message: expect.stringMatching(/--max-age must be a duration/) },
    });
    const flag = await runCli(['list', repo, '--json', '--nope']);
    expect(flag.code).toBe(2);
    expect(oneJsonObject(flag.stdout)).toEqual({
      error: { code: 'usage', message: "unknown option '--nope'" },
    });
  });

  it('refuses --json with an archive on stdout, before writing a byte', async () => {
    const run = await runCli(['backup', 'postgres://app@127.0.0.1:9/shop', '--to', '-', '--json']);
    expect(run.code).toBe(2);
    expect(oneJsonObject(run.stdout)).toMatchObject({
      error: { code: 'usage', message: expect.stringMatching(/--json and --to - both write to stdout/) },
    });
  });

  it('a command that printed its own JSON prints no second object', async () => {
    const unhealthy = await runCli(['status', repo, '--require-verified', '--json']);
    expect(unhealthy.code).toBe(1);
    expect(oneJsonObject(unhealthy.stdout)).toMatchObject({ ok: false });
    const choose = await runCli(['restore', repo, 'postgres://app@127.0.0.1:9/x', '--json']);
    expect(choose.code).toBe(2);
    expect(oneJsonObject(choose.stdout)).toMatchObject({
      error: { code: 'usage', message: expect.stringMatching(/is a repository: choose an archive/) },
      archives: [{ name: expect.stringMatching(/\.stow$/) }],
    });
  });

  it('a running daemon takes no --json (its output is a log)', async () => {
    const run = await runCli(['daemon', '--config', join(dir, 'any.yaml'), '--json']);
    expect(run.code).toBe(2);
    expect(oneJsonObject(run.stdout)).toMatchObject({
      error: { code: 'usage', message: '--json goes with --check or --once' },
    });
  });

  it('status --forget answers in JSON too', async () => {
    const run = await runCli(['status', repo, '--forget', 'nobody', '--json']);
    expect(run.code).toBe(0);
    expect(oneJsonObject(run.stdout)).toEqual({ repository: repo, database: 'nobody', forgotten: false });
  });

  it('--version --json and --help --json print one JSON object each', async () => {
    const version = await runCli(['--version', '--json']);
    expect(version.code).toBe(0);
    expect(oneJsonObject(version.stdout)).toEqual({ version: TOOL_VERSION });
    expect((await runCli(['--json', '-V'])).stdout).toBe(`${JSON.stringify({ version: TOOL_VERSION })}\n`);

    const plain = await runCli(['--help']);
    const help = await runCli(['--help', '--json']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    const top = oneJsonObject(help.stdout);
    // The same text a person reads, plus its parts.
    expect(top.help).toBe(plain.stdout);
    expect(top).toMatchObject({ command: 'stowage', usage: 'stowage [options] [command]' });
    expect((top.commands as { name: string }[]).map((c) => c.name)).toEqual(
      expect.arrayContaining(['backup', 'restore', 'list', 'verify', 'prune']),
    );

    const backup = oneJsonObject((await runCli(['backup', '--help', '--json'])).stdout);
    expect(backup.help).toBe((await runCli(['backup', '--help'])).stdout);
    expect(backup).toMatchObject({
      command: 'stowage backup',
      arguments: [{ name: 'source-url', required: true }],
    });
    expect(backup.options).toEqual(
      expect.arrayContaining([expect.objectContaining({ flags: '-j, --jobs <n>', default: '2' })]),
    );
  });

  it('finds --json and --format json before --, not after', () => {
    expect(wantsJson(['list', 'r', '--json'])).toBe(true);
    expect(wantsJson(['status', 'r', '--format', 'json'])).toBe(true);
    expect(wantsJson(['status', 'r', '--format=json'])).toBe(true);
    expect(wantsJson(['status', 'r', '--format', 'text'])).toBe(false);
    expect(wantsJson(['list', '--', '--json'])).toBe(false);
  });
});

describe('exit statuses from the one error table', () => {
  it('usage mistakes exit 2: engine mismatch, a missing config file', async () => {
    const mismatch = await runCli(['restore', archive, 'mongodb://127.0.0.1:9/shop', '--yes']);
    expect(mismatch.stderr).toMatch(/archive holds a postgres backup but the target is a mongodb URL/);
    expect(mismatch.code).toBe(2);
    const missing = await runCli(['daemon', '--check', '--config', join(dir, 'nope.yaml'), '--json']);
    expect(missing.code).toBe(2);
    expect(oneJsonObject(missing.stdout)).toMatchObject({ error: { code: 'usage' } });
  });

  it('a bad metrics.listen fails daemon --check with exit 2', async () => {
    const file = join(dir, 'listen.yaml');
    await writeFile(file, job('metrics:\n  listen: "localhost:http"\n'));
    const run = await runCli(['daemon', '--check', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/metrics\.listen: must be PORT or HOST:PORT/);
    expect(() => parseDaemonConfig(job('metrics:\n  listen: "0.0.0.0:70000"\n'), 'x.yaml')).toThrow(
      /metrics\.listen/,
    );
    expect(parseDaemonConfig(job('metrics:\n  listen: "0.0.0.0:9187"\n'), 'x.yaml').metrics?.listen).toBe(
      '0.0.0.0:9187',
    );
  });

  it('unknown keys inside engineOptions and restoreOptions are errors, per engine', async () => {
    const file = join(dir, 'options.yaml');
    await writeFile(file, job('    engineOptions:\n      includeTable: [orders]\n'));
    const run = await runCli(['daemon', '--check', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/jobs\[0\]\.engineOptions: unknown key "includeTable"/);
    expect(() =>
      parseDaemonConfig(
        job('    verify:\n      restoreTest: postgres://x/y\n      restoreOptions:\n        drop: true\n'),
        'x.yaml',
      ),
    ).toThrow(/jobs\[0\]\.verify\.restoreOptions: unknown key "drop"/);
    expect(() =>
      parseDaemonConfig(
        `${job('')}defaults:\n  verify:\n    restoreTest: postgres://x/y\n    restoreOptions:\n      singleTransation: true\n`,
        'x.yaml',
      ),
    ).toThrow(/defaults\.verify\.restoreOptions: unknown key "singleTransation" \(for job shop/);
    const good = parseDaemonConfig(
      job(
        '    engineOptions:\n      includeTables: [orders]\n    verify:\n      restoreTest: postgres://x/y\n      restoreOptions:\n        singleTransaction: true\n',
      ),
      'x.yaml',
    );
    expect(good.jobs[0]?.engineOptions).toEqual({ includeTables: ['orders'] });
    // The MongoDB keys are MongoDB's: `drop` is a restore option there.
    const mongo = parseDaemonConfig(
      job('').replace('postgres://app@db/shop', 'mongodb://db/shop') +
        '    verify:\n      restoreTest: mongodb://x/y\n      restoreOptions:\n        drop: true\n',
      'x.yaml',
    );
    expect(mongo.jobs[0]?.verify).toMatchObject({ restoreOptions: { drop: true } });
  });

  it('a MongoDB URL the driver cannot parse is a usage mistake at the preflight, as a PostgreSQL one is', async () => {
    const run = await runCli(['backup', 'mongodb://127.0.0.1:notaport/shop', '--to', join(dir, 'bad-url')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n').slice(-2)).toEqual([
      'stowage: invalid MongoDB URL mongodb://127.0.0.1:notaport/shop: Unable to parse 127.0.0.1:notaport with URL',
      'hint: write mongodb://[user:password@]host[:port][/database][?options]',
    ]);
  });

  it('restore from a folder without archives: one line and a hint, exit 1', async () => {
    const empty = join(dir, 'empty-repository');
    await mkdir(empty);
    const run = await runCli(['restore', empty, 'postgres://u@127.0.0.1:1/db', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `stowage: no archives in ${empty}`,
      'hint: check the path: a repository holds .stow archives (stowage backup SOURCE --to REPOSITORY)',
    ]);
  });

  it('usage mistakes deep in the library are UsageErrors too', async () => {
    const { S3Client } = await import('@aws-sdk/client-s3');
    const { S3Sink } = await import('../../src/store/s3/s3-sink.js');
    const { dropDatabase } = await import('../../src/ops/database-probe.js');
    const client = new S3Client({ region: 'us-east-1' });
    expect(() => new S3Sink(client, 'b', 'k', 's3://b/k', { partSizeMiB: 1 })).toThrow(UsageError);
    client.destroy();
    await expect(dropDatabase('mongodb://127.0.0.1:9/')).rejects.toBeInstanceOf(UsageError);
  });

  it('maps codes to statuses, and the docs list every code with its status', async () => {
    expect(exitStatusFor('usage')).toBe(EXIT.usage);
    expect(exitStatusFor('engine-mismatch')).toBe(EXIT.usage);
    expect(exitStatusFor('interrupted')).toBe(EXIT.interrupted);
    // A "no" at the restore prompt is a refusal, not a signal.
    expect(exitStatusFor('declined')).toBe(EXIT.failure);
    expect(exitStatusFor('corrupt-frame')).toBe(EXIT.failure);
    expect(exitStatusFor('pg-23503')).toBe(EXIT.failure);
    const docs = await readFile(join(process.cwd(), 'docs/ERRORS.md'), 'utf8');
    for (const [code, { exit }] of Object.entries(ERROR_CODES)) {
      expect(docs, code).toMatch(new RegExp(`^\\| \`${code}\` \\| ${exit} \\|`, 'm'));
    }
    // Synonyms were merged: one name each.
    for (const gone of ['aborted', 'cancelled', 'stopping', 'bad-schema', 'no-stream']) {
      expect(Object.keys(ERROR_CODES)).not.toContain(gone);
    }
  });
});

describe('a closed stdout', () => {
  it('ends `stowage backup --help | head` quietly with exit 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'backup', '--help'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the help is written: every write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);
});
