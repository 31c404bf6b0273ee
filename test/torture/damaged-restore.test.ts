// Restores of damaged archives, many at once, as real CLI processes: every one
// must end with exit code 1 and one error line saying the archive is damaged.
// A failure path that loses a rejection shows here as exit code 13 (Node's
// "unsettled top-level await") or a run that never ends, and only now and
// then, so the trials are many, parallel, and seeded to reproduce.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeFrameHeader,
  FRAME_HEADER_SIZE,
  FrameType,
  frameTotalSize,
  HEADER_SIZE,
} from '../../src/archive/format.js';
import { backup } from '../../src/ops/backup.js';
import { pseudoRandom } from '../archive/helpers.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { pgUrl } from '../support/servers.js';
import type { Run, RunResult } from './restore-runner.js';

const SEED = Number(process.env.STOWAGE_TORTURE_SEED ?? 20261201);
/**
 * Trials, cycling through {@link KINDS}: half are encrypted PostgreSQL restores, where the codec
 * workers run and the lost-promise bug this guards against showed (about 1 run in 12 on this data).
 */
const TRIALS = Number(process.env.STOWAGE_TORTURE_TRIALS ?? 80);
const KINDS = [
  ['postgres', true],
  ['postgres', false],
  ['postgres', true],
  ['mongodb', true],
  ['postgres', true],
  ['postgres', false],
  ['postgres', true],
  ['mongodb', false],
] as const;
/** Runner processes, each restoring its share one run at a time: up to this many restores at once. */
const RUNNERS = 3;
/**
 * A runner that prints no result for this long is stuck beyond what its own per-run limit
 * (restore-runner.ts, 150 s) catches: its event loop no longer turns. A runner that keeps
 * reporting is never cut short, however loaded the machine (a fixed budget for the whole share
 * killed healthy runners under CI load twice, and counted their unstarted trials as hangs).
 */
const RUNNER_SILENCE_MS = 240_000;
/** Vitest's limit for the whole test: far beyond any healthy run, even at 15 s per trial. */
const TEST_TIMEOUT_MS = 20 * 60_000;

interface Original {
  engine: 'postgres' | 'mongodb';
  encrypted: boolean;
  path: string;
  /** Offset and size of each data frame. */
  frames: { offset: number; size: number }[];
}

let dir: string;
let keyFile: string;
let source: TestPgDatabase | undefined;
let mongoSource: string | undefined;
const originals: Original[] = [];
const pgTargets: string[] = [];
const mongoTargets: string[] = [];

/** Data frames found by walking the frame headers of an intact archive. */
function dataFrames(bytes: Buffer): { offset: number; size: number }[] {
  const frames: { offset: number; size: number }[] = [];
  let offset = HEADER_SIZE;
  for (;;) {
    const fh = decodeFrameHeader(bytes.subarray(offset, offset + FRAME_HEADER_SIZE));
    if (!fh || fh.type === FrameType.Footer) break;
    const size = frameTotalSize(fh.storedLength);
    if (fh.type === FrameType.Data) frames.push({ offset, size });
    offset += size;
  }
  return frames;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-torture-'));
  keyFile = join(dir, 'key');
  await writeFile(keyFile, randomBytes(32));
  // Several tables of a few frames each, so that with --jobs 4 several streams are read (and
  // decrypted on the codec worker) at once when one of them fails.
  source = await createPgDatabase('torture_src');
  await withPgClient(source.url, async (client) => {
    for (let t = 1; t <= 4; t++) {
      await client.query(
        `CREATE TABLE t${t} AS SELECT g AS id, md5((g * ${t})::text) || repeat(md5(g::text), 6) AS v FROM generate_series(1, 15000) g`,
      );
    }
  });
  mongoSource = uniqueMongoDbName('torture_src');
  await withMongoClient(async (client) => {
    const db = client.db(mongoSource);
    for (let c = 1; c <= 4; c++) {
      const docs = Array.from({ length: 2000 }, (_, i) => ({
        _id: i,
        pad: pseudoRandom(c * 100_000 + i, 600).toString('base64'),
      }));
      await db.collection(`c${c}`).insertMany(docs as Document[]);
    }
  });
  for (const [engine, url] of [
    ['postgres', source.url],
    ['mongodb', mongoUrlFor(mongoSource)],
  ] as const) {
    for (const encrypted of [false, true]) {
      const to = join(dir, `${engine}-${encrypted ? 'enc' : 'plain'}.stow`);
      await backup({
        source: url,
        to,
        preflight: false,
        ...(encrypted ? { encryption: { keyFile } } : {}),
      });
      const bytes = await readFile(to);
      const frames = dataFrames(bytes);
      expect(frames.length).toBeGreaterThanOrEqual(engine === 'postgres' ? 8 : 4);
      originals.push({ engine, encrypted, path: to, frames });
    }
  }
}, 180_000);

afterAll(async () => {
  await withPgClient(pgUrl(), async (client) => {
    for (const name of pgTargets) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }).catch(() => {});
  await source?.drop();
  const dbs = [...mongoTargets, ...(mongoSource ? [mongoSource] : [])];
  await withMongoClient(async (client) => {
    for (const db of dbs) await client.db(db).dropDatabase();
  }).catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** xorshift32: the trial plan is a function of SEED alone. */
function generator(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function plan(): Run[] {
  const next = generator(SEED);
  return Array.from({ length: TRIALS }, (_, index) => {
    const [engine, encrypted] = KINDS[index % KINDS.length]!;
    const original = originals.find((o) => o.engine === engine && o.encrypted === encrypted)!;
    const frame = original.frames[next(original.frames.length)]!;
    const at = frame.offset + next(frame.size);
    const archive: Run['archive'] = { from: original.path, to: join(dir, `trial-${index}.stow`) };
    if (next(4) === 0) archive.truncateAt = at;
    else archive.flip = { at, bit: 1 << next(8) };
    let target: string;
    if (original.engine === 'postgres') {
      const name = `torture_dst_${index}_${randomBytes(4).toString('hex')}`;
      pgTargets.push(name);
      target = pgUrlFor(name);
    } else {
      const name = uniqueMongoDbName(`torture_dst_${index}`);
      mongoTargets.push(name);
      target = mongoUrlFor(name);
    }
    const args = ['restore', archive.to, target, '--jobs', '4', '--no-safety-backup'];
    if (original.engine === 'postgres') args.push('--create');
    if (original.encrypted) args.push('--key-file', keyFile);
    return { index, args, archive };
  });
}

interface RunnerOutcome {
  results: RunResult[];
  /** The runner's exit code, or the signal that ended it. */
  exit: string;
  /** Why the runner ended before reporting every run, when it did. */
  cut?: string;
}

/** Runs `runs` in one runner process; resolves with the results it printed (fewer if it died or was killed). */
function runRunner(runs: Run[], file: string): Promise<RunnerOutcome> {
  return new Promise((resolve, reject) => {
    writeFile(file, JSON.stringify(runs)).then(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/torture/restore-runner.ts', file], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, STOWAGE_DEBUG: '' },
      });
      let out = '';
      let err = '';
      let silenced = false;
      // SIGUSR2 first: the runner prints which run hangs and what holds it (see restore-runner.ts).
      const silence = () =>
        setTimeout(() => {
          silenced = true;
          child.kill('SIGUSR2');
          setTimeout(() => child.kill('SIGKILL'), 2_000);
        }, RUNNER_SILENCE_MS);
      let timer = silence();
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        clearTimeout(timer);
        timer = silence();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        process.stderr.write(chunk);
        err += chunk.toString();
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const results = out
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as RunResult);
        const outcome: RunnerOutcome = { results, exit: String(code ?? signal) };
        if (results.length < runs.length) {
          const tail = err.trim().split('\n').slice(-8).join('\n');
          outcome.cut = silenced
            ? `its runner printed nothing for ${RUNNER_SILENCE_MS / 1000} s and was killed\n${tail}`
            : `its runner died (exit ${outcome.exit}) before reaching it\n${tail}`;
        }
        resolve(outcome);
      });
    }, reject);
  });
}

/** What is wrong with a result, or undefined when it is the one-line failure it must be. */
function problem(result: RunResult): string | undefined {
  if (result.hung) return "hung: still running after the runner's per-run limit";
  if (!result.settled)
    return 'never settled: the event loop ran dry with main() pending (exit code 13 as a process)';
  if (result.code === null) {
    const crash = result.stderr
      .split('\n')
      .find((line) => /^(unhandled rejection|uncaught exception|main\(\) rejected)/.test(line));
    return `crashed: ${crash ?? 'no exit code'}`;
  }
  if (result.code !== 1) return `exit ${result.code}`;
  // Progress lines start with a time; everything else is the error report.
  const report = result.stderr.split('\n').filter((line) => line !== '' && !/^\d\d:\d\d:\d\d /.test(line));
  const errors = report.filter((line) => line.startsWith('stowage: '));
  if (errors.length !== 1) return `${errors.length} error lines`;
  if (!/corrupt|truncated|damaged/.test(errors[0]!)) return `error does not name the damage: ${errors[0]}`;
  // Notes before the run (a password on the command line, what is restored where) may precede it;
  // a stack trace or an error message of a library that leaked past the one line may not.
  const leaked = report.find((line) => /^\s+at |^(\w*Error|Unhandled|node:)/.test(line));
  if (leaked) return `unexpected output: ${leaked}`;
  return undefined;
}

describe('damaged archives restored in parallel', () => {
  it(
    `${TRIALS} restores (PostgreSQL and FerretDB, plain and encrypted, flips and truncations) each fail with one line and exit 1`,
    async () => {
      const runs = plan();
      const shares = Array.from({ length: RUNNERS }, (_, r) =>
        runs.filter((run) => run.index % RUNNERS === r),
      );
      const outcomes = await Promise.all(
        shares.map((share, r) => runRunner(share, join(dir, `runs-${r}.json`))),
      );
      const byIndex = new Map(outcomes.flatMap((o) => o.results).map((result) => [result.index, result]));
      const cutShort = (index: number) => outcomes[index % RUNNERS]?.cut ?? 'no result';
      const failures: string[] = [];
      for (const run of runs) {
        const result = byIndex.get(run.index);
        const kind = `${run.args[2]!.startsWith('postgres') ? 'postgres' : 'mongodb'} ${run.args.includes('--key-file') ? 'encrypted' : 'plain'}`;
        const damage = run.archive.flip
          ? `byte ${run.archive.flip.at} ^ 0x${run.archive.flip.bit.toString(16)}`
          : `truncated at ${run.archive.truncateAt}`;
        const wrong = result ? problem(result) : `no result: ${cutShort(run.index)}`;
        if (wrong)
          failures.push(
            `trial ${run.index} (${kind}, ${damage}): ${wrong}\n${
              result?.stderr
                .trim()
                .split('\n')
                .slice(result.hung ? -6 : -2)
                .join('\n') ?? ''
            }`,
          );
      }
      const slowest = [...byIndex.values()]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 3)
        .map((r) => `trial ${r.index} ${(r.ms / 1000).toFixed(1)} s`);
      console.log(
        `[torture] damaged restores: ${runs.length} trials, ${runs.length - failures.length} clean failures (seed ${SEED}); runners exited ${outcomes.map((o) => o.exit).join(', ')}; slowest: ${slowest.join(', ')}`,
      );
      expect(failures).toEqual([]);
      expect(outcomes.map((o) => o.exit)).toEqual(outcomes.map(() => '0'));
    },
    TEST_TIMEOUT_MS,
  );
});
