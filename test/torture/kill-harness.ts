// Shared by the SIGKILL torture files: a source database, a repository, the
// kill loop and the check that a repository holds nothing that looks finished
// but is not.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { list } from '../../src/ops/list.js';
import { verify } from '../../src/ops/verify.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { runCliProcess, seededRandom, startCli } from './cli-process.js';

export const TRIALS = 10;
export const SEED = Number(process.env.STOWAGE_TORTURE_SEED ?? 20261201);
/** Longest wait, after the process reports its first phase, before the kill. */
const MAX_DELAY_MS = 1500;
export const EVENTS = 60000;
export const NOTES = 500;

export interface KillBench {
  dir: string;
  repo: string;
  source: TestPgDatabase;
  databases: TestPgDatabase[];
  tally: { trials: number; killed: number; clean: number };
  close(): Promise<void>;
}

/** A source database with some data, and a repository holding one archive of it. */
export async function killBench(name: string): Promise<KillBench> {
  const dir = await mkdtemp(join(tmpdir(), `stowage-torture-${name}-`));
  const repo = join(dir, 'repo');
  const source = await createPgDatabase(`torture_${name}`);
  await withPgClient(source.url, (c) =>
    c.query(`CREATE TABLE events (id int PRIMARY KEY, body text);
      INSERT INTO events SELECT g, md5(g::text) || repeat('y', 200) FROM generate_series(1, ${EVENTS}) g;
      CREATE TABLE notes (id int PRIMARY KEY, n int);
      INSERT INTO notes SELECT g, g FROM generate_series(1, ${NOTES}) g;`),
  );
  await backup({ source: source.url, to: repo, preflight: false });
  const bench: KillBench = {
    dir,
    repo,
    source,
    databases: [source],
    tally: { trials: 0, killed: 0, clean: 0 },
    async close() {
      console.log(
        `[torture] ${name} seed ${SEED}: ${bench.tally.clean}/${bench.tally.trials} trials clean, ${bench.tally.killed} killed mid-run`,
      );
      for (const db of bench.databases) await db.drop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  return bench;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts `stowage ARGS` and SIGKILLs it at a random moment: `after: 'progress'`
 * waits for its first progress line and then up to 1.5 s; a number waits that
 * many milliseconds from the start. True when the kill landed before it exited.
 */
async function killSomewhere(args: string[], delay: number | (() => number)): Promise<boolean> {
  const run = startCli(args);
  if (typeof delay === 'function') {
    const started = Date.now();
    while (!/\d\d:\d\d:\d\d /.test(run.output().stderr) && Date.now() - started < 60_000) {
      if (await Promise.race([run.exit.then(() => true), sleep(20).then(() => false)])) break;
    }
    await sleep(delay());
  } else await sleep(delay);
  const killed = run.child.exitCode === null && run.child.signalCode === null && run.child.kill('SIGKILL');
  const { signal } = await run.exit;
  return killed && signal === 'SIGKILL';
}

/** Every archive the repository lists is whole: it reads and verifies. */
export async function assertRepositoryClean(repo: string, context: string): Promise<number> {
  const archives = await list({ repository: repo });
  for (const archive of archives) {
    expect(archive.unreadable, `${context}: ${archive.name}`).toBeUndefined();
    const result = await verify({ archive: archive.location });
    expect(result.problems, `${context}: ${archive.name}`).toEqual([]);
    expect(result.ok, `${context}: ${archive.name}`).toBe(true);
  }
  return archives.length;
}

/**
 * `TRIALS` kills of the command `args` gives, each followed by the repository
 * check. `timing: 'progress'` kills once the command reports progress;
 * `'runtime'` kills at a random point of the command's measured run time (for
 * commands too quick to report progress first).
 */
export async function killTrials(
  bench: KillBench,
  args: (trial: number) => Promise<string[]>,
  seedOffset: number,
  timing: 'progress' | 'runtime' = 'progress',
): Promise<void> {
  const random = seededRandom(SEED + seedOffset);
  let runtime = 0;
  if (timing === 'runtime') {
    const started = Date.now();
    await runCliProcess([...(await args(-1)), '--dry-run']);
    runtime = Date.now() - started;
  }
  for (let trial = 0; trial < TRIALS; trial++) {
    bench.tally.trials++;
    const command = await args(trial);
    const delay =
      timing === 'progress'
        ? () => Math.floor(random() * MAX_DELAY_MS)
        : Math.floor(runtime * (0.5 + 0.6 * random()));
    if (await killSomewhere(command, delay)) bench.tally.killed++;
    await assertRepositoryClean(bench.repo, `${command[0]} trial ${trial} (seed ${SEED})`);
    bench.tally.clean++;
  }
}
