import cliProgress from 'cli-progress';
import { counted } from '../engines/nouns.js';
import type { ProgressEvent, ProgressListener } from '../progress.js';
import { formatBytes } from './format-bytes.js';

/** A progress renderer for a terminal; `log` prints a line above the bars. */
export type ProgressBars = ProgressListener & { log(line: string): void; stop(): void };

type Measure = 'bytes' | 'items' | 'units';

/**
 * Renders progress as bars on a terminal: one for the whole job with
 * throughput and ETA, and one per table/collection in flight. Bars measure
 * bytes when the engine estimated sizes (backup), rows/documents when it
 * knows counts (restore), else finished tables. Phases, warnings and finished
 * tables print above the bars; the bars disappear when the job is done.
 */
export function progressBars(stream: NodeJS.WriteStream = process.stderr): ProgressBars {
  const multi = new cliProgress.MultiBar({
    stream,
    hideCursor: true,
    clearOnComplete: true,
    barsize: 24,
    format: (options, params, payload: { label: string; detail: string }) => {
      const size = options.barsize ?? 24;
      const filled = Math.round(Math.min(1, params.progress) * size);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(size - filled)}`;
      const label = payload.label.length > 28 ? `…${payload.label.slice(-27)}` : payload.label.padEnd(28);
      return `${label} ${bar} ${String(Math.floor(Math.min(1, params.progress) * 100)).padStart(3)}% ${payload.detail}`;
    },
  });
  let job: Job | undefined;

  class Job {
    readonly started = Date.now();
    readonly total: cliProgress.SingleBar;
    readonly units = new Map<
      string,
      { bar: cliProgress.SingleBar; items: number; bytes: number; estimate: number }
    >();
    doneUnits = 0;
    doneItems = 0;
    doneBytes = 0;

    constructor(
      readonly measure: Measure,
      readonly estimates: Map<string, number>,
      readonly totalUnits: number,
    ) {
      const sum = [...estimates.values()].reduce((n, v) => n + v, 0);
      this.total = multi.create(measure === 'units' ? Math.max(1, totalUnits) : Math.max(1, sum), 0, {
        label: 'total',
        detail: '',
      });
    }

    value(items: number, bytes: number): number {
      return this.measure === 'bytes' ? bytes : this.measure === 'items' ? items : 0;
    }

    refresh(): void {
      const items = this.doneItems + [...this.units.values()].reduce((n, u) => n + u.items, 0);
      const bytes = this.doneBytes + [...this.units.values()].reduce((n, u) => n + u.bytes, 0);
      const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
      const done = this.measure === 'units' ? this.doneUnits : this.value(items, bytes);
      const goal = this.total.getTotal();
      const rate = done / seconds;
      const eta =
        this.measure !== 'units' && rate > 0 && goal > done
          ? `, ETA ${Math.ceil((goal - done) / rate)} s`
          : '';
      const speed =
        bytes > 0 ? `${formatBytes(bytes / seconds)}/s` : `${Math.round(items / seconds)} items/s`;
      this.total.update(Math.min(done, goal), {
        label: 'total',
        detail: `${this.doneUnits}/${this.totalUnits} done, ${counted(items, 'item')}${bytes > 0 ? `, ${formatBytes(bytes)}` : ''}, ${speed}${eta}`,
      });
    }

    end(): void {
      for (const u of this.units.values()) multi.remove(u.bar);
      this.units.clear();
      multi.remove(this.total);
    }
  }

  const log = (line: string) => {
    if (job) multi.log(`${line}\n`);
    else stream.write(`${line}\n`);
  };
  const finish = () => {
    job?.end();
    job = undefined;
    multi.stop();
  };

  const listener = ((event: ProgressEvent) => {
    switch (event.type) {
      case 'phase':
        if (event.phase === 'done') finish();
        log(`${event.phase}${event.message ? `: ${event.message}` : ''}`);
        break;
      case 'warning':
        log(`warning: ${event.message}`);
        break;
      case 'plan': {
        finish();
        const bytes = new Map(
          event.units.filter((u) => u.estimatedBytes).map((u) => [u.name, u.estimatedBytes!]),
        );
        const items = new Map(
          event.units.filter((u) => u.estimatedItems).map((u) => [u.name, u.estimatedItems!]),
        );
        const measure: Measure = bytes.size > 0 ? 'bytes' : items.size > 0 ? 'items' : 'units';
        job = new Job(measure, measure === 'bytes' ? bytes : items, event.units.length);
        break;
      }
      case 'unit-start': {
        if (!job) break;
        const estimate = job.estimates.get(event.name) ?? 0;
        const bar = multi.create(Math.max(1, estimate), 0, { label: event.name, detail: 'starting' });
        job.units.set(event.name, { bar, items: 0, bytes: 0, estimate });
        break;
      }
      case 'unit-progress': {
        const unit = job?.units.get(event.name);
        if (!job || !unit) break;
        unit.items = event.items;
        unit.bytes = event.bytes;
        const value = job.value(event.items, event.bytes);
        // Estimates come from statistics and may be short: let the bar's end move with reality.
        if (value >= unit.bar.getTotal()) unit.bar.setTotal(Math.ceil(value * 1.05) + 1);
        unit.bar.update(value, {
          label: event.name,
          detail: `${counted(event.items, 'item')}${event.bytes > 0 ? `, ${formatBytes(event.bytes)}` : ''}`,
        });
        job.refresh();
        break;
      }
      case 'unit-done': {
        if (!job) {
          log(`done ${event.name}: ${counted(event.items, 'item')}`);
          break;
        }
        const unit = job.units.get(event.name);
        if (unit) {
          multi.remove(unit.bar);
          job.units.delete(event.name);
        }
        job.doneUnits++;
        job.doneItems += event.items;
        job.doneBytes += event.bytes;
        log(
          `done ${event.name}: ${counted(event.items, 'item')}${event.bytes > 0 ? `, ${formatBytes(event.bytes)}` : ''}`,
        );
        job.refresh();
        break;
      }
    }
  }) as ProgressBars;
  listener.log = log;
  listener.stop = finish;
  return listener;
}
