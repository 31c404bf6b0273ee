// Servers that stop answering: a PostgreSQL, a FerretDB and a MinIO of the
// test's own are frozen with SIGSTOP the moment a transfer starts (never the
// shared servers). A backup or restore must then end within the stall timeout,
// with an error naming the silent server, clean up, and fail the CLI with exit 1.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type Document, MongoClient } from 'mongodb';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { StowageError } from '../../src/errors.js';
import { backup } from '../../src/ops/backup.js';
import { restore } from '../../src/ops/restore.js';
import { StallError } from '../../src/ops/stall-watchdog.js';
import type { ProgressListener } from '../../src/progress.js';
import { createS3Client, type S3Options } from '../../src/store/s3/s3-client.js';
import { ferretdbBinary, PrivateFerretDB } from '../mongodb/support/private-ferretdb.js';
import {
  findPostgresBinDir,
  freePort,
  HarnessRoot,
  type StartedServer,
  startLocalPostgres,
} from '../support/local-servers.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { findMinio } from '../support/s3-server.js';

const STALL = 3;
/** Rows of about 200 bytes: some 30 MB, far more than socket buffers and read-ahead hold. */
const ROWS = 150_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-stalls-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Freezes (SIGSTOP) or thaws (SIGCONT) a process and all its children: PostgreSQL serves each
 * connection from a child. Synchronous, so the server is frozen before the run takes another step.
 */
function signalTree(pid: number, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat = '';
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {}
    // Field 4 (after the parenthesised command name) is the parent pid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) pids.push(Number(entry));
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch (err) {
      // A backend that exited since the listing (CI): nothing left to freeze or thaw.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

/** A progress listener that calls `freeze` once, when the first table or collection starts moving. */
function freezeOnFirstUnit(freeze: () => void): ProgressListener {
  let done = false;
  return (event) => {
    if (!done && event.type === 'unit-start') {
      done = true;
      freeze();
    }
  };
}

async function seedPg(url: string, tables = ['big']): Promise<void> {
  await withPgClient(url, async (client) => {
    for (const table of tables)
      await client.query(
        `CREATE TABLE ${table} AS SELECT g AS id, repeat(md5(g::text), 6) AS v FROM generate_series(1, ${ROWS}) g`,
      );
  });
}

const pgBin = findPostgresBinDir();
describe.skipIf(!pgBin)('a frozen PostgreSQL', () => {
  let root: HarnessRoot;
  let server: StartedServer;
  let postmaster: number;
  let frozen = false;
  const freeze = () => {
    frozen = true;
    signalTree(postmaster, 'SIGSTOP');
  };

  beforeAll(async () => {
    root = new HarnessRoot();
    server = await startLocalPostgres(root, pgBin!);
    postmaster = Number(
      (await readFile(join(root.dir, 'pg', 'data', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    await withPgClient(server.url, (c) => c.query('CREATE DATABASE src'));
    await seedPg(pgUrlFor('src', server.url), ['big', 'big2']);
  }, 180_000);
  afterEach(() => {
    if (frozen) signalTree(postmaster, 'SIGCONT');
    frozen = false;
  });
  afterAll(async () => {
    if (frozen) signalTree(postmaster, 'SIGCONT');
    await server?.stop();
    root?.remove();
  });

  it('backup (CLI): exit 1, one line naming the server, no archive left', async () => {
    const repo = join(dir, 'pg-backup');
    const port = new URL(server.url).port;
    let stderr = '';
    const code = await main(
      [
        'backup',
        pgUrlFor('src', server.url),
        '--to',
        repo,
        // One table at a time: the first one's "done" line comes before the second one starts.
        '--jobs',
        '1',
        '--stall-timeout',
        String(STALL),
        '--no-preflight',
      ],
      {
        stdout: { write: () => true },
        stderr: {
          write: (s: string) => {
            stderr += s;
            if (!frozen && / done public\.big/.test(s)) freeze();
            return true;
          },
        },
        interactive: false,
      },
    );
    expect(frozen).toBe(true);
    expect(code).toBe(1);
    const errors = stderr.split('\n').filter((l) => l.startsWith('stowage: '));
    expect(errors).toEqual([`stowage: PostgreSQL at 127.0.0.1:${port} sent nothing for ${STALL} s`]);
    const left = await readdir(repo).catch(() => []);
    expect(left.filter((f) => /\.stow(\.|$)/.test(f))).toEqual([]);
  }, 120_000);

  it('restore: ends with the stall error naming the server', async () => {
    const archive = join(dir, 'pg-src.stow');
    await backup({ source: pgUrlFor('src', server.url), to: archive, preflight: false });
    await withPgClient(server.url, (c) => c.query('CREATE DATABASE dst'));
    const started = Date.now();
    const err = await restore({
      archive,
      target: pgUrlFor('dst', server.url),
      safetyBackup: false,
      stallTimeoutSeconds: STALL,
      onProgress: freezeOnFirstUnit(freeze),
    }).catch((e) => e);
    expect(frozen).toBe(true);
    expect(err).toBeInstanceOf(StallError);
    expect(err.message).toBe(
      `PostgreSQL at 127.0.0.1:${new URL(server.url).port} sent nothing for ${STALL} s`,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
  it('restore: a freeze while no bytes move (DDL) is found by the liveness probe', async () => {
    const archive = join(dir, 'pg-src-ddl.stow');
    await backup({ source: pgUrlFor('src', server.url), to: archive, preflight: false });
    await withPgClient(server.url, (c) => c.query('CREATE DATABASE dst_ddl'));
    let done = false;
    const err = await restore({
      archive,
      target: pgUrlFor('dst_ddl', server.url),
      safetyBackup: false,
      stallTimeoutSeconds: STALL,
      // Frozen as the schema goes in: no table is moving, so only the probe can tell.
      onProgress: (event) => {
        if (!done && event.type === 'phase' && event.phase === 'pre-data') {
          done = true;
          freeze();
        }
      },
    }).catch((e) => e);
    expect(frozen).toBe(true);
    expect(err).toBeInstanceOf(StallError);
    expect(err.message).toBe(
      `PostgreSQL at 127.0.0.1:${new URL(server.url).port} sent nothing for ${STALL} s`,
    );
  }, 120_000);

  it('restore --create: a freeze during CREATE DATABASE ends with the stall, saying what may be left', async () => {
    await withPgClient(server.url, (c) => c.query('CREATE DATABASE small'));
    await withPgClient(pgUrlFor('small', server.url), (c) => c.query('CREATE TABLE t (a int)'));
    const archive = join(dir, 'pg-small.stow');
    await backup({ source: pgUrlFor('small', server.url), to: archive, preflight: false });
    // Frozen once CREATE DATABASE has gone out: whether the server carried it out is unknown to the
    // restore, and its cancel request finds no one to take it.
    const send = pg.Client.prototype.query;
    const query = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const out = (send as (...a: unknown[]) => unknown).apply(this, args);
      if (!frozen && typeof args[0] === 'string' && args[0].startsWith('CREATE DATABASE')) freeze();
      return out;
    } as never);
    let err: unknown;
    try {
      err = await restore({
        archive,
        target: pgUrlFor('created', server.url),
        safetyBackup: false,
        stallTimeoutSeconds: STALL,
        engineOptions: { create: true },
      }).catch((e: unknown) => e);
    } finally {
      query.mockRestore();
    }
    expect(frozen).toBe(true);
    expect((err as StowageError).code).toBe('stalled');
    expect((err as Error).message).toBe(
      `PostgreSQL at 127.0.0.1:${new URL(server.url).port} sent nothing for ${STALL} s; database "created" may exist, created by this restore: drop it with DROP DATABASE created`,
    );
  }, 120_000);
});

const ferret = ferretdbBinary();
describe.skipIf(!ferret)('a frozen FerretDB', () => {
  let server: PrivateFerretDB;
  let frozen = false;
  const pid = () => (server as unknown as { child: ChildProcess }).child.pid!;
  const freeze = () => {
    frozen = true;
    process.kill(pid(), 'SIGSTOP');
  };

  beforeAll(async () => {
    server = await PrivateFerretDB.start();
    const client = new MongoClient(server.url);
    try {
      await client.connect();
      const docs = Array.from({ length: 6000 }, (_, i) => ({
        _id: i,
        pad: randomBytes(900).toString('base64'),
      }));
      for (let i = 0; i < docs.length; i += 1000)
        await client
          .db('src')
          .collection('c')
          .insertMany(docs.slice(i, i + 1000) as Document[]);
    } finally {
      await client.close();
    }
  }, 180_000);
  afterEach(() => {
    if (frozen) process.kill(pid(), 'SIGCONT');
    frozen = false;
  });
  afterAll(async () => {
    if (frozen) process.kill(pid(), 'SIGCONT');
    await server?.stop();
  });

  it('backup: ends with the stall error naming the server, no archive left', async () => {
    const repo = join(dir, 'mongo-backup');
    const err = await backup({
      source: `${server.url}src`,
      to: repo,
      preflight: false,
      stallTimeoutSeconds: STALL,
      onProgress: freezeOnFirstUnit(freeze),
    }).catch((e) => e);
    expect(frozen).toBe(true);
    expect(err).toBeInstanceOf(StallError);
    expect(err.message).toBe(`MongoDB at 127.0.0.1:${server.port} sent nothing for ${STALL} s`);
    const left = await readdir(repo).catch(() => []);
    expect(left.filter((f) => /\.stow(\.|$)/.test(f))).toEqual([]);
  }, 120_000);

  it('restore: ends with the stall error naming the server', async () => {
    const archive = join(dir, 'mongo-src.stow');
    await backup({ source: `${server.url}src`, to: archive, preflight: false });
    const err = await restore({
      archive,
      target: `${server.url}dst`,
      safetyBackup: false,
      stallTimeoutSeconds: STALL,
      onProgress: freezeOnFirstUnit(freeze),
    }).catch((e) => e);
    expect(frozen).toBe(true);
    expect(err).toBeInstanceOf(StallError);
    expect(err.message).toBe(`MongoDB at 127.0.0.1:${server.port} sent nothing for ${STALL} s`);
  }, 120_000);
});

const minio = findMinio();
describe.skipIf(!minio)('a frozen MinIO', () => {
  let child: ChildProcess;
  let s3: S3Options;
  let bucket: string;
  let source: TestPgDatabase;
  let frozen = false;
  const freeze = () => {
    frozen = true;
    child.kill('SIGSTOP');
  };

  beforeAll(async () => {
    const port = await freePort();
    const credentials = { accessKeyId: 'stall-test', secretAccessKey: randomBytes(12).toString('hex') };
    child = spawn(
      minio!,
      [
        'server',
        join(dir, 'minio'),
        '--address',
        `127.0.0.1:${port}`,
        '--console-address',
        `127.0.0.1:${await freePort()}`,
        '--quiet',
      ],
      {
        env: {
          ...process.env,
          MINIO_ROOT_USER: credentials.accessKeyId,
          MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
          MINIO_BROWSER: 'off',
          MINIO_UPDATE: 'off',
        },
        stdio: 'ignore',
      },
    );
    const endpoint = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      if (
        await fetch(`${endpoint}/minio/health/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await sleep(100);
    }
    // Small parts, one at a time: the upload blocks on the server after a few MiB.
    s3 = {
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      partSizeMiB: 5,
      queueSize: 1,
      ...credentials,
    };
    bucket = `stalls-${randomBytes(4).toString('hex')}`;
    const client = createS3Client(s3);
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
    // The source is the shared PostgreSQL, which is only read from, never frozen.
    source = await createPgDatabase('stalls_s3_src');
    await seedPg(source.url);
  }, 180_000);
  afterEach(() => {
    if (frozen) child.kill('SIGCONT');
    frozen = false;
  });
  afterAll(async () => {
    if (frozen) child.kill('SIGCONT');
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await source?.drop();
  });

  it('backup: ends with the stall error naming the endpoint', async () => {
    const err = await backup({
      source: source.url,
      to: `s3://${bucket}/stalled.stow`,
      stores: { s3 },
      compression: 'none',
      preflight: false,
      stallTimeoutSeconds: STALL,
      onProgress: freezeOnFirstUnit(freeze),
    }).catch((e) => e);
    expect(frozen).toBe(true);
    expect(err).toBeInstanceOf(StallError);
    expect(err.message).toBe(
      `S3 endpoint ${s3.endpoint} (s3://${bucket}/stalled.stow) did not answer for ${STALL} s`,
    );
    // Once it answers again, nothing that looks like a finished archive is there. (The name's claim,
    // stalled.stow.lock, may be: removing it had to be given up while the store was silent; it is a
    // leftover that list/status report and the next backup or prune removes.)
    child.kill('SIGCONT');
    frozen = false;
    const client = createS3Client(s3);
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect((listed.Contents ?? []).map((o) => o.Key).filter((k) => k?.endsWith('.stow'))).toEqual([]);
    } finally {
      client.destroy();
    }
  }, 120_000);

  it('restore: ends with the stall error naming the endpoint', async () => {
    const archive = `s3://${bucket}/whole.stow`;
    await backup({ source: source.url, to: archive, stores: { s3 }, compression: 'none', preflight: false });
    const target = await createPgDatabase('stalls_s3_dst');
    try {
      const err = await restore({
        archive,
        target: target.url,
        stores: { s3 },
        safetyBackup: false,
        stallTimeoutSeconds: STALL,
        onProgress: freezeOnFirstUnit(freeze),
      }).catch((e) => e);
      expect(frozen).toBe(true);
      expect(err).toBeInstanceOf(StallError);
      expect(err.message).toBe(`S3 endpoint ${s3.endpoint} (${archive}) did not answer for ${STALL} s`);
    } finally {
      if (frozen) child.kill('SIGCONT');
      frozen = false;
      await target.drop();
    }
  }, 120_000);
});
