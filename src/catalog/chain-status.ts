import type { ChainInfo } from './chains.js';
import { formatAge } from './status.js';

/** Health of a database's newest continuous backup chain. */
export interface ChainStatus {
  chain: string;
  database: string;
  /** The restorable window, when the chain has stored changes. */
  from?: string;
  to?: string;
  /** How far the window's end is behind now: the changes a loss of the source would lose. */
  lagMs?: number;
  /** Age of the newest segment. */
  lastSegmentAgeMs?: number;
  segments: number;
  segmentBytes: number;
  transactions: number;
  gap?: string;
  problems: string[];
  ok: boolean;
}

export interface ChainStatusOptions {
  /** Largest acceptable lag. Default 15 minutes. */
  maxLagMs?: number;
  /** Largest acceptable age of the newest segment; unset: not checked (an idle source writes none). */
  maxSegmentAgeMs?: number;
  now?: Date;
}

export const DEFAULT_MAX_LAG_MS = 15 * 60_000;

/** The status of each database's newest chain (older chains are history, not followed any more). */
export function computeChainStatus(chains: ChainInfo[], options: ChainStatusOptions = {}): ChainStatus[] {
  const now = (options.now ?? new Date()).getTime();
  const maxLag = options.maxLagMs ?? DEFAULT_MAX_LAG_MS;
  const newest = new Map<string, ChainInfo>();
  for (const c of chains) newest.set(c.database, c);
  return [...newest.values()].map((c) => {
    const problems: string[] = [];
    const lagMs = c.window ? now - c.window.to.getTime() : undefined;
    const lastSegmentAgeMs = c.lastSegmentAt ? now - c.lastSegmentAt.getTime() : undefined;
    if (!c.window) {
      const baseAge = now - (c.base.finishedAt ?? c.base.at).getTime();
      if (baseAge > maxLag)
        problems.push(`chain ${c.id} has stored no change in the ${formatAge(baseAge)} since its base`);
    } else if (lagMs! > maxLag) {
      problems.push(
        `chain ${c.id} lags ${formatAge(lagMs!)} (limit ${formatAge(maxLag)}): is follow running?`,
      );
    }
    if (
      options.maxSegmentAgeMs !== undefined &&
      (lastSegmentAgeMs ?? Number.POSITIVE_INFINITY) > options.maxSegmentAgeMs
    ) {
      problems.push(
        `chain ${c.id}'s newest segment is ${lastSegmentAgeMs === undefined ? 'missing' : `${formatAge(lastSegmentAgeMs)} old`} (limit ${formatAge(options.maxSegmentAgeMs)})`,
      );
    }
    if (c.gap) problems.push(`chain ${c.id} is broken: ${c.gap}`);
    return {
      chain: c.id,
      database: c.database,
      ...(c.window ? { from: c.window.from.toISOString(), to: c.window.to.toISOString() } : {}),
      ...(lagMs !== undefined ? { lagMs } : {}),
      ...(lastSegmentAgeMs !== undefined ? { lastSegmentAgeMs } : {}),
      segments: c.segments.length,
      segmentBytes: c.segmentBytes,
      transactions: c.window?.transactions ?? 0,
      ...(c.gap ? { gap: c.gap } : {}),
      problems,
      ok: problems.length === 0,
    };
  });
}
