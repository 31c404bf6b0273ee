// `restore --until` whose change replay fails after the base restore wrote the target (a damaged
// segment): settled as a failed `restore --create` is. The database the base restore created is
// dropped, unless keepFailed, and the error says which; a target that existed is never dropped.
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrameHeader, FrameType, frameTotalSize, HEADER_SIZE } from '../../src/archive/format.js';
import type { StowageError } from '../../src/errors.js';
import { type RestoreUntilOptions, restoreUntil } from '../../src/ops/restore-until.js';
import { startFollow } from '../support/follow-run.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { dropReplicationState } from '../support/replication-cleanup.js';
import { until } from '../support/until.js';
import { runCliProcess } from '../torture/cli-process.js';
import { DatabasesToCreate, databaseExists } from './support.js';

let source: TestPgDatabase;
let repo: string;
const databases = new DatabasesToCreate();

beforeAll(async () => {
  source = await createPgDatabase('until_failed');
  repo = await mkdtemp(join(tmpdir(), 'stowage-until-failed-'));
  await withPgClient(source.url, (c) =>
    c.query(`CREATE TABLE t (id int PRIMARY KEY, v text);
             INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g;`),
  );
  const following = startFollow(source.url, repo);
  const { events } = following;
  await until(() => events.some((e) => e.type === 'chain-started'), 'the base');
  await withPgClient(source.url, (c) => c.query(`UPDATE t SET v = 'changed' WHERE id <= 10`));
  await until(() => events.some((e) => e.type === 'segment' && e.transactions > 0), 'a segment of changes');
  await following.stop();
  const segment = events.find((e) => e.type === 'segment' && e.transactions > 0) as { name: string };
  await damageFirstDataFrame(join(repo, segment.name));
}, 120_000);

afterAll(async () => {
  if (source) await dropReplicationState(source.url);
  await databases.dropAll();
  await source?.drop();
  await rm(repo, { recursive: true, force: true });
});

/** Flips a byte in the payload of the file's first data frame: the changes stream's. */
async function damageFirstDataFrame(file: string): Promise<void> {
  const bytes = await readFile(file);
  let offset = HEADER_SIZE;
  for (;;) {
    const fh = decodeFrameHeader(bytes.subarray(offset, offset + 32));
    if (!fh) throw new Error(`no data frame in ${file}`);
    if (fh.type === FrameType.Data) break;
    offset += frameTotalSize(fh.storedLength);
  }
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.from([bytes[offset + 33]! ^ 0xff]), 0, 1, offset + 33);
  } finally {
    await handle.close();
  }
}

const failure = (options: Omit<RestoreUntilOptions, 'repository' | 'until' | 'safetyBackup'>) =>
  restoreUntil({ repository: repo, until: 'latest', safetyBackup: false, ...options }).then(
    () => {
      throw new Error('the restore succeeded');
    },
    (err: unknown) => err as StowageError,
  );

describe('restore --until whose replay fails after the base', () => {
  it('drops the database the base restore created, and says so', async () => {
    const { name, url } = databases.next('until_failed_create');
    const err = await failure({ target: url, engineOptions: { create: true } });
    expect(err.code).toBe('corrupt-frame');
    expect(err.message).toContain(`dropped database "${name}", which this restore had created`);
    expect(err.message).toContain('--keep-failed');
    expect(await databaseExists(name)).toBe(false);
  });

  it('with keepFailed, the created database stays and the message says it is partial', async () => {
    const { name, url } = databases.next('until_failed_keep');
    const err = await failure({ target: url, engineOptions: { create: true }, keepFailed: true });
    expect(err.message).toContain(`database "${name}", which this restore created, is kept as it is`);
    expect(await databaseExists(name)).toBe(true);
  });

  it('never drops a target that existed before the run', async () => {
    const { name, url } = databases.next('until_failed_existing');
    await withPgClient(pgUrlFor('postgres'), (c) => c.query(`CREATE DATABASE ${name}`));
    const err = await failure({ target: url });
    expect(err.code).toBe('corrupt-frame');
    expect(err.message).not.toMatch(/dropped/);
    expect(err.message).toMatch(new RegExp(`; "${name}" is partly restored$`));
    expect(await databaseExists(name)).toBe(true);
  });

  it('the CLI passes --keep-failed on: one line, exit 1, the created database kept', async () => {
    const { name, url } = databases.next('until_failed_cli');
    const run = await runCliProcess([
      'restore',
      repo,
      url,
      '--until',
      'latest',
      '--create',
      '--keep-failed',
      '--yes',
    ]);
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('stowage:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`database "${name}", which this restore created, is kept as it is`);
    expect(await databaseExists(name)).toBe(true);
  });
});
