import type { ChainInfo } from '../catalog/chains.js';
import { formatAge } from '../catalog/status.js';
import { formatBytes } from './format-bytes.js';

/** A continuous backup chain as `list --json` and `inspect --json` print it. */
export function chainJson(c: ChainInfo, now = new Date()): Record<string, unknown> {
  return {
    id: c.id,
    database: c.database,
    base: c.base.name,
    feedId: c.feedId,
    segments: c.segments.map((s) => ({
      name: s.name,
      sequence: s.sequence,
      bytes: s.bytes,
      ...(s.mark
        ? {
            after: s.mark.after,
            last: s.mark.last,
            transactions: s.mark.transactions,
            lastCommitAt: s.mark.lastCommitAt,
            coveredUntil: s.mark.coveredUntil,
          }
        : {}),
      ...(s.unreadable ? { unreadable: s.unreadable } : {}),
    })),
    segmentBytes: c.segmentBytes,
    ...(c.window
      ? {
          window: {
            from: c.window.from.toISOString(),
            to: c.window.to.toISOString(),
            fromPosition: c.window.fromPosition,
            toPosition: c.window.toPosition,
            transactions: c.window.transactions,
          },
          lagMs: now.getTime() - c.window.to.getTime(),
        }
      : {}),
    ...(c.lastSegmentAt
      ? {
          lastSegmentAt: c.lastSegmentAt.toISOString(),
          lastSegmentAgeMs: now.getTime() - c.lastSegmentAt.getTime(),
        }
      : {}),
    ...(c.gap ? { gap: c.gap } : {}),
  };
}

/** One line per chain for people: base, segments, window, lag. */
export function chainLine(c: ChainInfo, now = new Date()): string {
  const window = c.window
    ? `restorable ${c.window.from.toISOString()} to ${c.window.to.toISOString()} (lag ${formatAge(now.getTime() - c.window.to.getTime())})`
    : 'no change stored yet';
  const last = c.lastSegmentAt
    ? `, last segment ${formatAge(now.getTime() - c.lastSegmentAt.getTime())} ago`
    : '';
  return `chain ${c.id}: base ${c.base.name} + ${c.segments.length} segments (${formatBytes(c.segmentBytes)}), ${window}${last}${c.gap ? `; BROKEN: ${c.gap}` : ''}`;
}
