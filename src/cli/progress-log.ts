import { counted } from '../engines/nouns.js';
import type { ProgressEvent, ProgressListener } from '../progress.js';
import { formatBytes } from './format-bytes.js';

/**
 * Renders progress as timestamped log lines on stderr: what cron, systemd and
 * CI logs want. Per-unit progress is throttled to one line every few seconds.
 * A line per finished table is what a log of a few tables wants and what
 * nobody reads at twenty thousand: past {@link LIST_EVERY_UNIT_UP_TO} streams,
 * only those that are big or slow get one (the ones worth knowing about),
 * the rest show in the periodic totals and one line at the end. Every unit
 * is still in the result (`--json`, the manifest).
 */

/** Plans up to this many streams list each one as it finishes. */
export const LIST_EVERY_UNIT_UP_TO = 50;
/** Past that, a stream gets its own line from this size… */
export const LIST_FROM_BYTES = 32 * 1024 * 1024;
/** …or this long from its start to its end. */
export const LIST_FROM_MS = 5000;
/** At most one running-total line this often. */
const TICK_MS = 5000;

export function progressLog(
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  now: () => number = Date.now,
): ProgressListener {
  // Each operation (a plan: backup, safety backup, restore) counts from zero.
  let started = now();
  let lastTick = 0;
  let doneBytes = 0;
  let planned = 0;
  let doneCount = 0;
  /** Finished streams not listed one by one, and their bytes; whether some were listed. */
  let listedSome = false;
  let unlisted = 0;
  let unlistedBytes = 0;
  const inFlight = new Map<string, { items: number; bytes: number; since: number }>();
  const stamp = () => new Date(now()).toISOString().slice(11, 19);
  const rate = (bytes: number) => `${formatBytes(bytes / Math.max(0.001, (now() - started) / 1000))}/s`;
  const tick = () => {
    const at = now();
    if (at - lastTick <= TICK_MS) return;
    lastTick = at;
    const bytes = doneBytes + [...inFlight.values()].reduce((n, u) => n + u.bytes, 0);
    const count = planned > LIST_EVERY_UNIT_UP_TO ? `, ${doneCount} of ${planned} streams done` : '';
    write(`${stamp()} … ${formatBytes(bytes)} so far (${rate(bytes)})${count}`);
  };
  const flushUnlisted = () => {
    if (unlisted === 0) return;
    write(
      `${stamp()} done ${counted(unlisted, listedSome ? 'more stream' : 'stream')} (${formatBytes(unlistedBytes)}), each under ${formatBytes(LIST_FROM_BYTES)} and ${LIST_FROM_MS / 1000} s`,
    );
    unlisted = 0;
    unlistedBytes = 0;
  };
  return (event: ProgressEvent) => {
    switch (event.type) {
      case 'phase':
        flushUnlisted();
        write(`${stamp()} ${event.phase}${event.message ? `: ${event.message}` : ''}`);
        break;
      case 'warning':
        write(`${stamp()} warning: ${event.message}`);
        break;
      case 'plan':
        flushUnlisted();
        started = now();
        lastTick = 0;
        doneBytes = 0;
        doneCount = 0;
        listedSome = false;
        planned = event.units.length;
        inFlight.clear();
        write(`${stamp()} ${event.summary ?? counted(event.units.length, 'stream')} to process`);
        break;
      case 'unit-start':
        inFlight.set(event.name, { items: 0, bytes: 0, since: now() });
        break;
      case 'unit-progress': {
        const since = inFlight.get(event.name)?.since ?? now();
        inFlight.set(event.name, { items: event.items, bytes: event.bytes, since });
        tick();
        break;
      }
      case 'unit-done': {
        const since = inFlight.get(event.name)?.since ?? now();
        inFlight.delete(event.name);
        doneBytes += event.bytes;
        doneCount++;
        const listed =
          planned <= LIST_EVERY_UNIT_UP_TO || event.bytes >= LIST_FROM_BYTES || now() - since >= LIST_FROM_MS;
        if (listed) {
          listedSome = true;
          write(
            `${stamp()} done ${event.name}: ${counted(event.items, 'item')}, ${formatBytes(event.bytes)}`,
          );
        } else {
          unlisted++;
          unlistedBytes += event.bytes;
          tick();
        }
        break;
      }
    }
  };
}
