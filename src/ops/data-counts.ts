import type { Engine } from '../engines/engine.js';
import { isDataStream } from './content-check.js';

/** What a backup or restore moved, counted the same way on both sides. */
export interface DataCounts {
  /** Tables or collections: the parts of one table split over several streams count once. */
  units: number;
  /** Rows or documents in them. */
  items: number;
}

/**
 * Counts the tables/collections and rows/documents of data streams (not the
 * engine's own `$…` streams such as the oplog or large objects), so backup,
 * restore, inspect and verify give the same numbers for the same archive.
 */
export function dataCounts(
  engine: Pick<Engine, 'unitOfStream'>,
  streams: Iterable<{ name: string; items: number }>,
): DataCounts {
  const units = new Set<string>();
  let items = 0;
  for (const s of streams) {
    if (!isDataStream(s.name)) continue;
    units.add(engine.unitOfStream(s.name));
    items += s.items;
  }
  return { units: units.size, items };
}
