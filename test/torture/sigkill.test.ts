import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { list } from '../../src/ops/list.js';
import { restore } from '../../src/ops/restore.js';
import { verify } from '../../src/ops/verify.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { type CliProcess, seededRandom, startCli } from './cli-process.js';

// Torture: `stowage backup`, `stowage restore` (whose safety backup writes
// into the repository) and `stowage prune` killed with SIGKILL at seeded
// random moments once they have started working. Whatever the moment, nothing
// killed may look like a finished archive: every archive `list` shows must
// verify, and the repository must stay usable for the next backup, restore and
// prune. STOWAGE_TORTURE_SEED repeats a run.

const TRIALS = 10;
const SEED = Number(process.env.STOWAGE_TORTURE_SEED ?? 20261201);
/** Longest wait, after the process reports its first phase, before the kill. */
const MAX_DELAY_MS = 1500;

let dir: string;
let repo: string;
let source: TestPgDatabase;
const databases: TestPgDatabase[] = [];
const tally: Record<string, { trials: number; killed: number; clean: number }> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-torture-kill-'));
  repo = join(dir, 'repo');
  source = await createPgDatabase('torture_kill');
  databases.push(source);
  await withPgClient(source.url, (c) =>
    c.query(`CREATE TABLE events (id int PRIMARY KEY, body text);
      INSERT INTO events SELECT g, md5(g::text) || repeat('y', 200) FROM generate_series(1, 60000) g;
      CREATE TABLE notes (id int PRIMARY KEY, n int);
      INSERT INTO notes SELECT g, g FROM generate_series(1, 500) g;`),
  );
  await backup({ source: source.url, to: repo, preflight: false });
});
afterAll(async () => {
  console.log(
    `[torture] seed ${SEED}: ${Object.entries(tally)
      .map(([cmd, t]) => `${cmd} ${t.clean}/${t.trials} clean (${t.killed} killed mid-run)`)
      .join('; ')}`,
  );
  for (const db of databases) await db.drop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

/** Starts the command, waits for its first progress line, then SIGKILLs it after a random delay. */
async function killSomewhere(args: string[], random: () => number): Promise<boolean> {
  const run: CliProcess = startCli(args);
  const started = Date.now();
  while (!/\d\d:\d\d:\d\d /.test(run.output().stderr) && Date.now() - started < 60_000) {
    const finished = await Promise.race([run.exit.then(() => true), sleep(20).then(() => false)]);
    if (finished) break;
  }
  await sleep(Math.floor(random() * MAX_DELAY_MS));
  const killed = run.child.exitCode === null && run.child.signalCode === null && run.child.kill('SIGKILL');
  const { signal } = await run.exit;
  return killed && signal === 'SIGKILL';
}

/** Every archive the repository lists is whole: it verifies. */
async function assertRepositoryClean(context: string): Promise<number> {
  const archives = await list({ repository: repo });
  for (const archive of archives) {
    expect(archive.unreadable, `${context}: ${archive.name}`).toBeUndefined();
    const result = await verify({ archive: archive.location });
    expect(result.problems, `${context}: ${archive.name}`).toEqual([]);
    expect(result.ok, `${context}: ${archive.name}`).toBe(true);
  }
  return archives.length;
}

async function trials(command: string, args: (trial: number) => Promise<string[]>, seedOffset: number) {
  const random = seededRandom(SEED + seedOffset);
  tally[command] = { trials: 0, killed: 0, clean: 0 };
  const t = tally[command];
  for (let trial = 0; trial < TRIALS; trial++) {
    t.trials++;
    if (await killSomewhere(await args(trial), random)) t.killed++;
    await assertRepositoryClean(`${command} trial ${trial} (seed ${SEED})`);
    t.clean++;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe(`SIGKILL at random moments (seed ${SEED})`, () => {
  it('stowage backup', async () => {
    await trials('backup', async () => ['backup', source.url, '--to', repo], 1);
    expect(tally.backup?.clean).toBe(TRIALS);
  }, 600_000);

  it('stowage restore (with its safety backup into the repository)', async () => {
    const target = await createPgDatabase('torture_kill_target');
    databases.push(target);
    const [archive] = await list({ repository: repo, database: source.name });
    await restore({ archive: archive!.location, target: target.url, safetyBackup: false });
    await trials(
      'restore',
      async () => ['restore', archive!.location, target.url, '--clean', '--yes', '--safety-backup-to', repo],
      2,
    );
    expect(tally.restore?.clean).toBe(TRIALS);
  }, 600_000);

  it('stowage prune, and the repository stays usable', async () => {
    await trials(
      'prune',
      async () => {
        // Something to delete each time.
        await backup({ source: source.url, to: repo, preflight: false });
        return ['prune', repo, '--keep-last', '1'];
      },
      3,
    );
    expect(tally.prune?.clean).toBe(TRIALS);
    // Usable after all of it: a backup, a restore of it and a prune all work.
    const { archive } = await backup({ source: source.url, to: repo, preflight: false });
    const copy = await createPgDatabase('torture_kill_after');
    databases.push(copy);
    const restored = await restore({ archive, target: copy.url, safetyBackup: false });
    expect(restored.items).toMatchObject({ 'public.events': 60000, 'public.notes': 500 });
    expect(await assertRepositoryClean('after the trials')).toBeGreaterThan(0);
  }, 600_000);
});
