import { UsageError } from '../../errors.js';
import type { ContentsEntry, StreamSummary } from '../engine.js';
import { NamespaceFilter } from './namespace-filter.js';
import type { MongoRestoreOptions } from './options.js';
import { parseMongoSchema } from './schema.js';

/**
 * What a MongoDB archive holds: each collection with its documents (its
 * streams counted as one collection), its indexes, and views. `include` /
 * `exclude` list what a restore with the same `--ns-include`/`--ns-exclude`
 * would write.
 */
export function describeMongoContents(
  schemaSection: unknown,
  streams: StreamSummary[],
  selection: MongoRestoreOptions,
): ContentsEntry[] {
  const schema = parseMongoSchema(schemaSection);
  const filter = new NamespaceFilter(selection.include, selection.exclude);
  const byName = new Map(streams.map((s) => [s.name, s]));
  const entries: ContentsEntry[] = [];
  for (const db of schema.databases) {
    for (const c of db.collections) {
      const ns = `${db.name}.${c.name}`;
      if (!filter.accepts(ns)) continue;
      const parts = c.streams.map((s) => byName.get(s));
      entries.push({
        section: 'data',
        kind: c.type === 'timeseries' ? 'timeseries-collection' : 'collection',
        name: ns,
        items: parts.reduce((n, s) => n + (s?.items ?? 0), 0),
        bytes: parts.reduce((n, s) => n + (s?.rawBytes ?? 0), 0),
      });
      for (const index of c.indexes) {
        const name = typeof index.name === 'string' ? index.name : JSON.stringify(index.key);
        entries.push({ section: 'post-data', kind: 'index', name: `${ns}.${name}` });
      }
    }
    for (const v of db.views) {
      const ns = `${db.name}.${v.name}`;
      if (filter.accepts(ns)) entries.push({ section: 'post-data', kind: 'view', name: ns });
    }
  }
  if (entries.length === 0 && !filter.includesAll) {
    throw new UsageError(
      `--ns-include ${selection.include?.join(', ')} matches nothing in the archive`,
      'check the pattern against the collections `stowage inspect --list ARCHIVE` lists',
    );
  }
  return entries;
}
