import type { UnitBench } from './bench.js';
import { unitThroughput } from './unit-throughput.js';

/**
 * `stowage bench`'s per-table/collection figures from what its measuring
 * streams saw: a unit read whole is reported as read; one read in part (a
 * sample asked for up front, a stream stopped at its share, or a stream the
 * budget cut off mid-read) is reported with the rows and bytes read so far,
 * the fraction they are of the whole, and the whole extrapolated from them
 * and the engine's estimates.
 */

/** What a bench saw of one stream. */
export interface StreamMeasure {
  name: string;
  bytes: number;
  items: number;
  first: number;
  last: number;
  done: boolean;
  /** The share of the unit the engine was asked to read (PostgreSQL), when less than all. */
  fraction?: number;
  /** The writer told the engine to stop (MongoDB) before the stream ended. */
  stopped: boolean;
}

/** The per-unit report of `streams`; `cut`: the budget ended the read (planned streams never reached count too). */
export function unitsOf(
  streams: Iterable<StreamMeasure>,
  estimates: Map<string, { items?: number; bytes?: number }>,
  latest: Map<string, { items: number; bytes: number }>,
  unitOfStream: (stream: string) => string,
  cut: boolean,
): UnitBench[] {
  interface Acc {
    rows: number;
    bytes: number;
    first: number;
    last: number;
    complete: boolean;
    estRows: number;
    estBytes: number;
    /** Rows read / rows of the whole unit, over its sampled streams. */
    fraction?: number;
  }
  const byUnit = new Map<string, Acc>();
  const acc = (stream: string): Acc => {
    const unit = unitOfStream(stream);
    let a = byUnit.get(unit);
    if (!a) {
      a = { rows: 0, bytes: 0, first: Infinity, last: 0, complete: true, estRows: 0, estBytes: 0 };
      byUnit.set(unit, a);
    }
    return a;
  };
  const seen = new Set<string>();
  for (const m of streams) {
    seen.add(m.name);
    const a = acc(m.name);
    const rows = m.done ? m.items : (latest.get(m.name)?.items ?? 0);
    a.bytes += m.bytes;
    a.rows += rows;
    if (m.bytes > 0 || m.done) {
      a.first = Math.min(a.first, m.first);
      a.last = Math.max(a.last, m.last);
    }
    const e = estimates.get(m.name);
    // A sample stands for the whole stream: scaled by the fraction read (PostgreSQL's is the share of
    // blocks asked for; MongoDB's the documents read out of the server's count).
    const fraction =
      m.fraction ?? (m.stopped && e?.items && rows < e.items ? Math.max(rows, 1) / e.items : undefined);
    if (m.done && fraction !== undefined) {
      a.complete = false;
      a.fraction = fraction;
      a.estRows += Math.max(rows / fraction, e?.items ?? 0);
      a.estBytes += Math.max(m.bytes / fraction, rows > 0 ? 0 : (e?.bytes ?? 0));
      continue;
    }
    if (!m.done) {
      // Cut mid-read when the budget ran out (the engine's COPY or cursor was cancelled): what
      // arrived is a sample of the stream, its rows as last counted; the whole is the estimate.
      a.complete = false;
      const wholeBytes = Math.max(e?.bytes ?? 0, m.bytes);
      if (m.bytes > 0) a.fraction = m.bytes / wholeBytes;
      a.estRows += Math.max(e?.items ?? 0, rows);
      a.estBytes += wholeBytes;
      continue;
    }
    a.estRows += m.items;
    a.estBytes += m.bytes;
  }
  // Planned streams the budget never reached.
  if (cut) {
    for (const [name, e] of estimates) {
      if (seen.has(name)) continue;
      const a = acc(name);
      a.complete = false;
      a.estRows += Math.max(0, e.items ?? 0);
      a.estBytes += Math.max(0, e.bytes ?? 0);
    }
  }
  return [...byUnit.entries()].map(([unit, a]) => {
    return {
      ...unitThroughput(unit, a.rows, a.bytes, a.first, a.last),
      complete: a.complete,
      // Over all the unit's streams (a split table's parts may have had different shares).
      ...(a.fraction !== undefined
        ? { fraction: a.estRows > 0 ? Math.min(1, a.rows / a.estRows) : a.fraction }
        : {}),
      ...(a.complete ? {} : { estimatedRows: Math.round(a.estRows), estimatedBytes: Math.round(a.estBytes) }),
    };
  });
}
