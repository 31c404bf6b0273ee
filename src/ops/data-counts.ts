import type { Engine } from '../engines/engine.js';
import { isDataStream } from './content-check.js';

/** What a backup or restore moved, counted the same way on both sides. */
export interface DataCounts {
  /** Tables or collections: the parts of one table split over several streams count once. */
  units: number;
  /** Data streams (a table copied in parts has several). */
  streams: number;
  /** Rows or documents in them. */
  items: number;
}

/**
 * Counts the tables/collections, streams and rows/documents of data streams
 * (not the engine's own `$…` streams such as the oplog or large objects), so
 * backup, restore, inspect and verify give the same numbers for one archive.
 */
export function dataCounts(
  engine: Pick<Engine, 'unitOfStream'>,
  streams: Iterable<{ name: string; items: number }>,
): DataCounts {
  const units = new Set<string>();
  let count = 0;
  let items = 0;
  for (const s of streams) {
    if (!isDataStream(s.name)) continue;
    units.add(engine.unitOfStream(s.name));
    count++;
    items += s.items;
  }
  return { units: units.size, streams: count, items };
}

/**
 * The same counts for a restore: `written` holds the rows/documents the
 * engine wrote, keyed by stream or by table (engines differ); the streams
 * are the archive's data streams of what was written.
 */
export function restoredCounts(
  engine: Pick<Engine, 'unitOfStream'>,
  archived: { name: string }[],
  written: Record<string, number>,
): DataCounts {
  const read = archived.filter(
    (s) => isDataStream(s.name) && (s.name in written || engine.unitOfStream(s.name) in written),
  );
  const items = Object.entries(written)
    .filter(([name]) => isDataStream(name))
    .reduce((n, [, v]) => n + v, 0);
  return { units: new Set(read.map((s) => engine.unitOfStream(s.name))).size, streams: read.length, items };
}
