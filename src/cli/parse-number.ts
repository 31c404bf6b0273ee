import { UsageError } from '../errors.js';

/** `--stall-timeout SECONDS`: 0 or more (0 turns stall detection off). */
export function parseStallTimeout(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--stall-timeout must be a number of seconds, 0 or more, got ${value}`);
  return n;
}

export function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UsageError(`--jobs must be a whole number from 1 to 64, got ${value}`);
  return n;
}
