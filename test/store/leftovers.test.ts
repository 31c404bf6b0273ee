// What killed backups leave behind (.partial + .lock pairs, unfinished S3
// multipart uploads): reported by list/status, removed by the next backup or
// prune, and a running backup's never touched.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStaleLeftovers } from '../../src/catalog/leftovers.js';
import { backup } from '../../src/ops/backup.js';
import { listRepository } from '../../src/ops/list.js';
import { prune } from '../../src/ops/prune.js';
import { status } from '../../src/ops/status.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { createS3Client } from '../../src/store/s3/s3-client.js';
import { S3Repository } from '../../src/store/s3/s3-repository.js';
import { runCli } from '../cli/run-cli.js';
import { addTestArchive } from '../ops/make-archive.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { createTestBucket, s3Options } from '../support/s3.js';

let dir: string;
let db: TestPgDatabase | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-leftovers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

/** The pid of a process that has already exited: what a killed backup's claim holds. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

/** What `kill -9` during a backup leaves: a claim naming a dead process, and a partial archive. */
async function killedBackupLeftover(path: string, name: string, bytes: number): Promise<void> {
  await writeFile(
    join(path, `${name}.lock`),
    JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: new Date().toISOString() }),
  );
  await writeFile(join(path, `${name}.partial`), Buffer.alloc(bytes, 7));
}

describe('leftovers of killed backups in a local repository', () => {
  it('reports them in list and status, and prune removes them but not a running backup', async () => {
    const path = join(dir, 'prune');
    const repository = new LocalRepository(path);
    await addTestArchive(repository, { startedAt: new Date('2026-11-21T12:00:00Z') });
    await killedBackupLeftover(path, 'shop-20261120-010000.stow', 300_000);
    // A backup running right now in this process: its claim names a live pid.
    const running = await repository.createArchive('shop-20261122-010000.stow');
    await running.write(Buffer.alloc(1000, 1));
    try {
      const listed = await listRepository({ repository: path });
      expect(listed.archives).toHaveLength(1);
      expect(listed.leftovers).toMatchObject({ count: 2, stale: 1, staleBytes: 300_000 });
      const stale = listed.leftovers.items.find((l) => l.stale)!;
      expect(stale).toMatchObject({ name: 'shop-20261120-010000.stow', kind: 'partial', bytes: 300_000 });
      expect(stale.why).toMatch(/is gone/);
      expect(listed.leftovers.items.find((l) => !l.stale)?.why).toMatch(/still running/);

      const cli = await runCli(['list', path]);
      expect(cli.stderr).toMatch(/leftovers of unfinished backups: 2 .*1 stale/);
      const json = (await runCli(['list', path, '--json'])).json<{ leftovers: { count: number } }>();
      expect(json.leftovers.count).toBe(2);
      expect(
        (await status({ repository: path, now: new Date('2026-11-21T13:00:00Z') })).leftovers,
      ).toMatchObject({
        count: 2,
        stale: 1,
      });

      const dry = await prune({ repository: path, dryRun: true });
      expect(dry.leftoversRemoved.map((l) => l.name)).toEqual(['shop-20261120-010000.stow']);
      expect((await readdir(path)).filter((f) => f.startsWith('shop-20261120'))).toHaveLength(2);

      const done = await prune({ repository: path });
      expect(done.leftoversRemoved).toMatchObject([{ name: 'shop-20261120-010000.stow', bytes: 300_000 }]);
      const left = (await readdir(path)).sort();
      expect(left).toEqual([
        'shop-20261121-120000.stow',
        'shop-20261122-010000.stow.lock',
        'shop-20261122-010000.stow.partial',
      ]);
    } finally {
      await running.abort();
    }
    expect(await readdir(path)).toEqual(['shop-20261121-120000.stow']);
  });

  it('judges a claim from another host by how long it has been silent', async () => {
    const path = join(dir, 'other-host');
    const repository = new LocalRepository(path);
    await addTestArchive(repository, { startedAt: new Date('2026-11-21T12:00:00Z') });
    await writeFile(
      join(path, 'shop-20261120-010000.stow.lock'),
      JSON.stringify({ pid: 1, host: `not-${hostname()}`, startedAt: new Date().toISOString() }),
    );
    const fresh = await repository.listLeftovers();
    expect(fresh).toMatchObject([{ stale: false }]);
    const later = await repository.listLeftovers({ now: new Date(Date.now() + 25 * 3_600_000) });
    expect(later).toMatchObject([{ stale: true }]);
  });

  it('the next backup into the repository removes them', async () => {
    db = await createPgDatabase('stowage_leftovers');
    await withPgClient(db.url, (c) => c.query('CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)'));
    const path = join(dir, 'backup');
    await new LocalRepository(path).checkWritable();
    await killedBackupLeftover(path, 'other-20261120-010000.stow', 5000);
    const summary = await backup({ source: db.url, to: path });
    const left = (await readdir(path)).filter((f) => f !== '.stowage');
    expect(left).toEqual([summary.archive.split('/').pop()]);
  });
});

describe('unfinished S3 multipart uploads', () => {
  it('are listed with their size, left alone while fresh, and aborted once stale', async () => {
    const bucket = await createTestBucket('stowage-leftovers');
    const client = createS3Client(s3Options());
    try {
      const key = 'prod/shop-20261120-010000.stow';
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: 1,
          Body: Buffer.alloc(4096, 1),
        }),
      );
      // Another repository's upload (a sub-prefix) is not this repository's business.
      await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'prod/other/x.stow' }));

      const repository = new S3Repository(`s3://${bucket}/prod`, s3Options());
      try {
        const fresh = await repository.listLeftovers();
        expect(fresh).toMatchObject([
          { kind: 'multipart-upload', name: 'shop-20261120-010000.stow', bytes: 4096, stale: false },
        ]);
        // A live upload (just begun) survives prune's default age limit.
        const pruned = await prune({ repository, policy: { keepLast: 1 } }).catch((e: Error) => e);
        expect(pruned).not.toBeInstanceOf(Error);
        expect(await repository.listLeftovers()).toHaveLength(1);

        const tomorrow = new Date(Date.now() + 25 * 3_600_000);
        const { removed } = await removeStaleLeftovers(repository, { now: tomorrow });
        expect(removed.map((l) => l.name)).toEqual(['shop-20261120-010000.stow']);
        expect(await repository.listLeftovers({ now: tomorrow })).toEqual([]);
        const other = new S3Repository(`s3://${bucket}/prod/other`, s3Options());
        try {
          expect(await other.listLeftovers()).toHaveLength(1);
        } finally {
          await other.close();
        }
      } finally {
        await repository.close();
      }
    } finally {
      client.destroy();
    }
  });
});
