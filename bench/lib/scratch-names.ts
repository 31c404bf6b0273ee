import { randomBytes } from 'node:crypto';

// One suffix per runner process: the cases' databases are named in the runner (prepare) and
// handed to the timed children as arguments, so every part of one run agrees on them.
const runSuffix = `${process.pid}_${randomBytes(3).toString('hex')}`;

/**
 * The name of a database a bench run creates and drops (restore targets): `base`
 * plus this run's own suffix. With fixed names, two runs on one server (two
 * worktrees, two engineers) dropped and recreated each other's targets mid-run.
 * The datasets the runs read keep their fixed names: they are shared inputs,
 * made once and never written by a run.
 */
export function scratchDatabaseName(base: string): string {
  const name = `${base}_${runSuffix}`;
  // PostgreSQL cuts identifiers at 63 bytes, which could make two names one again.
  if (Buffer.byteLength(name) > 63) throw new Error(`scratch database name too long: ${name}`);
  return name;
}

/**
 * The name of a file or folder a bench run writes beside other runs' (a build, a
 * half-made shared input): `base` plus this run's own suffix, so two runs at once
 * never write, or remove, each other's.
 */
export function scratchFileName(base: string): string {
  return `${base}.${runSuffix}`;
}
