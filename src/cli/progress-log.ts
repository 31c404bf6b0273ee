import { counted } from '../engines/nouns.js';
import type { ProgressEvent, ProgressListener } from '../progress.js';
import { formatBytes } from './format-bytes.js';

/**
 * Renders progress as timestamped log lines on stderr: what cron, systemd and
 * CI logs want. Per-unit progress is throttled to one line every few seconds.
 */
export function progressLog(
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): ProgressListener {
  // Each operation (a plan: backup, safety backup, restore) counts from zero.
  let started = Date.now();
  let lastTick = 0;
  let doneBytes = 0;
  const inFlight = new Map<string, { items: number; bytes: number }>();
  const stamp = () => new Date().toISOString().slice(11, 19);
  const rate = (bytes: number) => `${formatBytes(bytes / Math.max(0.001, (Date.now() - started) / 1000))}/s`;
  return (event: ProgressEvent) => {
    switch (event.type) {
      case 'phase':
        write(`${stamp()} ${event.phase}${event.message ? `: ${event.message}` : ''}`);
        break;
      case 'warning':
        write(`${stamp()} warning: ${event.message}`);
        break;
      case 'plan':
        started = Date.now();
        lastTick = 0;
        doneBytes = 0;
        inFlight.clear();
        write(`${stamp()} ${event.summary ?? counted(event.units.length, 'stream')} to process`);
        break;
      case 'unit-start':
        inFlight.set(event.name, { items: 0, bytes: 0 });
        break;
      case 'unit-progress': {
        inFlight.set(event.name, { items: event.items, bytes: event.bytes });
        const now = Date.now();
        if (now - lastTick > 5000) {
          lastTick = now;
          const bytes = doneBytes + [...inFlight.values()].reduce((n, u) => n + u.bytes, 0);
          write(`${stamp()} … ${formatBytes(bytes)} so far (${rate(bytes)})`);
        }
        break;
      }
      case 'unit-done':
        inFlight.delete(event.name);
        doneBytes += event.bytes;
        write(`${stamp()} done ${event.name}: ${counted(event.items, 'item')}, ${formatBytes(event.bytes)}`);
        break;
    }
  };
}
