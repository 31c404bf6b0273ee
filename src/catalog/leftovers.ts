import type { Leftover, LeftoverOptions, Repository } from '../store/repository.js';

/** What unfinished backups left in a repository, as `list` and `status` report it. */
export interface LeftoverSummary {
  count: number;
  bytes: number;
  /** Those whose writer is gone: the next backup or prune removes them. */
  stale: number;
  staleBytes: number;
  items: Leftover[];
  /** Why leftovers could not be looked for (e.g. S3 credentials without ListMultipartUploads); the counts are then 0. */
  unavailable?: string;
}

/**
 * Lists and sums a repository's leftovers (unfinished `.partial` files,
 * claims, multipart uploads). Never throws: a listing that fails is reported
 * in `unavailable`, so `list` and `status` still work with read-only access.
 */
export async function summarizeLeftovers(
  repository: Repository,
  options: LeftoverOptions = {},
): Promise<LeftoverSummary> {
  let items: Leftover[];
  try {
    items = await repository.listLeftovers(options);
  } catch (err) {
    const unavailable = (err as Error).message?.split('\n')[0] ?? String(err);
    return { count: 0, bytes: 0, stale: 0, staleBytes: 0, items: [], unavailable };
  }
  const stale = items.filter((l) => l.stale);
  return {
    count: items.length,
    bytes: items.reduce((n, l) => n + l.bytes, 0),
    stale: stale.length,
    staleBytes: stale.reduce((n, l) => n + l.bytes, 0),
    items,
  };
}

/**
 * Removes the stale leftovers of killed backups; a running backup's are never
 * stale and stay. Failures are returned, not thrown: cleaning is housekeeping, never the
 * reason a backup or prune fails.
 */
export async function removeStaleLeftovers(
  repository: Repository,
  options: LeftoverOptions = {},
): Promise<{ removed: Leftover[]; failures: string[] }> {
  const removed: Leftover[] = [];
  const failures: string[] = [];
  let leftovers: Leftover[];
  try {
    leftovers = (await repository.listLeftovers(options)).filter((l) => l.stale);
  } catch (err) {
    return { removed, failures: [`could not list leftovers: ${(err as Error).message}`] };
  }
  for (const leftover of leftovers) {
    try {
      await repository.removeLeftover(leftover);
      removed.push(leftover);
    } catch (err) {
      failures.push(`could not remove ${leftover.name} leftover: ${(err as Error).message}`);
    }
  }
  return { removed, failures };
}
