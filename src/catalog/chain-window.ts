import type { ChainMark } from '../archive/manifest.js';
import { StowageError } from '../errors.js';

/**
 * What a continuous backup chain can restore to, worked out from what is in
 * the repository alone: the base, then segments 1, 2, … as long as each one
 * is readable and starts where the one before it ended.
 */

/** A segment as the catalog found it. */
export interface SegmentInfo {
  name: string;
  /** Where it is (path or s3:// address). */
  location: string;
  bytes: number;
  sequence: number;
  /** Its chain mark, when its manifest could be read. */
  mark?: ChainMark;
  /** When it was published. */
  finishedAt?: Date;
  /** Why its manifest could not be read. */
  unreadable?: string;
}

/** The side file a running `follow` keeps up to date while nothing new needs a segment. */
export interface ChainHeartbeat {
  /** The chain's last stored position when it was written. */
  position: string;
  /** Every change committed up to this moment is stored. */
  coveredUntil: string;
  updatedAt: string;
}

export interface ChainWindow {
  /** The earliest moment a restore can reach: when the base was finished. */
  from: Date;
  /** The latest: every change committed up to it is stored. */
  to: Date;
  /** The chain's start position (the base's) and its last stored one. */
  fromPosition: string;
  toPosition: string;
  /** Segments a restore can use: 1 … usable, with no gap. */
  usableSegments: number;
  transactions: number;
}

export interface ChainState {
  /** Undefined while the chain has neither a segment nor a heartbeat: a base alone says nothing of what came after. */
  window?: ChainWindow;
  /** Why the segments stop being usable before the last one (a missing, unreadable or misplaced segment). */
  gap?: string;
}

/** The window of a chain; segments in any order. */
export function chainWindow(
  base: { finishedAt: Date; mark: ChainMark },
  segments: SegmentInfo[],
  heartbeat?: ChainHeartbeat,
): ChainState {
  const sorted = [...segments].sort((a, b) => a.sequence - b.sequence);
  let position = base.mark.after;
  let to: number | undefined;
  let usable = 0;
  let transactions = 0;
  let gap: string | undefined;
  for (const segment of sorted) {
    const expected = usable + 1;
    if (segment.sequence !== expected) {
      gap =
        segment.sequence < expected
          ? `segment ${segment.sequence} is there twice`
          : `segment ${expected} is missing (the next one is ${segment.sequence})`;
      break;
    }
    if (!segment.mark || segment.unreadable) {
      gap = `segment ${segment.sequence} (${segment.name}) cannot be read: ${segment.unreadable ?? 'no chain mark'}`;
      break;
    }
    if (segment.mark.after !== position) {
      gap = `segment ${segment.sequence} starts after ${segment.mark.after}, but the chain had reached ${position}`;
      break;
    }
    position = segment.mark.last ?? position;
    transactions += segment.mark.transactions;
    const covered = latest(segment.mark.coveredUntil, segment.mark.lastCommitAt);
    if (covered !== undefined) to = Math.max(to ?? covered, covered);
    usable++;
  }
  if (!gap && heartbeat && heartbeat.position === position) {
    const covered = Date.parse(heartbeat.coveredUntil);
    if (!Number.isNaN(covered)) to = Math.max(to ?? covered, covered);
  }
  if (to === undefined) return gap ? { gap } : {};
  const from = base.finishedAt.getTime();
  return {
    window: {
      from: new Date(from),
      to: new Date(Math.max(from, to)),
      fromPosition: base.mark.after,
      toPosition: position,
      usableSegments: usable,
      transactions,
    },
    ...(gap ? { gap } : {}),
  };
}

function latest(...times: (string | undefined)[]): number | undefined {
  const values = times.filter((t): t is string => !!t).map((t) => Date.parse(t));
  return values.length ? Math.max(...values) : undefined;
}

/** Where a point-in-time restore stops. */
export type UntilBound =
  | { kind: 'latest' }
  | { kind: 'time'; at: Date }
  | { kind: 'position'; position: string; compare: (a: string, b: string) => number };

/** A chain as selection needs it. */
export interface SelectableChain {
  id: string;
  window?: ChainWindow;
}

/**
 * The chain a restore to `bound` uses: the newest whose window holds it (so
 * the newest base taken before that moment). Fails with the windows there are
 * when none does.
 */
export function selectChain<C extends SelectableChain>(chains: C[], bound: UntilBound): C {
  const restorable = chains.filter((c) => c.window);
  const holds = (c: C): boolean => {
    const w = c.window!;
    if (bound.kind === 'latest') return true;
    if (bound.kind === 'time')
      return w.from.getTime() <= bound.at.getTime() && bound.at.getTime() <= w.to.getTime();
    return (
      bound.compare(w.fromPosition, bound.position) <= 0 && bound.compare(bound.position, w.toPosition) <= 0
    );
  };
  const chosen = restorable.filter(holds).at(-1);
  if (chosen) return chosen;
  const windows = restorable.map((c) => describeWindow(c.id, c.window!));
  throw new StowageError(
    'no-chain',
    `no continuous backup covers ${describeBound(bound)}${windows.length ? `; the repository can restore to ${windows.join('; ')}` : ': the repository holds no chain with stored changes'}`,
    windows.length
      ? 'pick a moment inside one of those windows, or --until latest'
      : 'run `stowage follow` to start one',
  );
}

/** `chain X: 2026-…Z … 2026-…Z (positions a … b)`, for messages. */
export function describeWindow(id: string, window: ChainWindow): string {
  return `${id}: ${window.from.toISOString()} to ${window.to.toISOString()} (positions ${window.fromPosition} to ${window.toPosition})`;
}

function describeBound(bound: UntilBound): string {
  if (bound.kind === 'latest') return 'the latest moment';
  if (bound.kind === 'time') return bound.at.toISOString();
  return `position ${bound.position}`;
}

/** Whether a transaction is inside the bound (transactions come in order, so the first outside ends the replay). */
export function withinBound(
  transaction: { position: string; commitTime: number },
  bound: UntilBound,
): boolean {
  if (bound.kind === 'latest') return true;
  if (bound.kind === 'time') return transaction.commitTime <= bound.at.getTime();
  return bound.compare(transaction.position, bound.position) <= 0;
}
