import { hostname } from 'node:os';
import type { z } from 'zod';
import { type Built, LazySchemas } from '../schema-check/lazy-schemas.js';

/**
 * Who is writing an unfinished archive, recorded in its claim
 * (`NAME.stow.lock` beside `NAME.stow.partial`), so that a later backup,
 * prune, list or status can tell a backup that is still running from what a
 * killed one left behind. Built on first use (lazy-schemas.ts): a backup
 * writes its claim without loading zod.
 */
export const claimSchemas = new LazySchemas((z) => ({
  ClaimOwner: z.object({
    pid: z.number().int().positive(),
    host: z.string(),
    startedAt: z.iso.datetime(),
  }),
}));

export type ClaimOwner = z.infer<Built<typeof claimSchemas>['ClaimOwner']>;

/** Leftovers untouched for this long are stale even when their owner cannot be checked (another host, no claim). */
export const DEFAULT_STALE_AFTER_MS = 24 * 3_600_000;

/** The claim this process writes. */
export function ownClaim(now = new Date()): ClaimOwner {
  return { pid: process.pid, host: hostname(), startedAt: now.toISOString() };
}

/** The owner recorded in a claim file, or undefined for an empty or foreign one (claims written before owners were recorded). */
export async function parseClaim(text: string | undefined): Promise<ClaimOwner | undefined> {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = await claimSchemas.safeParse('ClaimOwner', value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Whether an unfinished archive is abandoned. On this host the owner's pid
 * decides: a live process keeps its claim however old it is, a dead one's
 * claim is stale at once. An owner on another host (or none recorded) cannot
 * be asked, so only a long silence makes it stale: a running backup keeps
 * writing, which keeps `lastActivity` fresh.
 */
export function judgeClaim(
  owner: ClaimOwner | undefined,
  lastActivity: Date,
  options: { now?: Date; staleAfterMs?: number } = {},
): { stale: boolean; why: string } {
  const now = (options.now ?? new Date()).getTime();
  const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  if (owner && owner.host === hostname()) {
    return processAlive(owner.pid)
      ? { stale: false, why: `process ${owner.pid} on ${owner.host} is still running` }
      : { stale: true, why: `process ${owner.pid} on ${owner.host} is gone` };
  }
  const idleMs = now - lastActivity.getTime();
  const who = owner ? `process ${owner.pid} on ${owner.host}` : 'an unrecorded writer';
  const idleHours = Math.floor(idleMs / 3_600_000);
  return idleMs > staleAfter
    ? { stale: true, why: `${who}, untouched for ${idleHours} h` }
    : { stale: false, why: `${who}, touched ${idleHours} h ago: may still be running` };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
