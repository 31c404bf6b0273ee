import { Writable } from 'node:stream';
import type { ArchiveReader } from '../archive/reader.js';
import {
  createStreamDigest,
  type DigestAlgorithm,
  type RecordedDigest,
  recordDigest,
  recordedDigest,
  sameDigest,
} from '../archive/stream-digest.js';
import type { EngineStreamWriter, StreamWriterSet } from '../engines/engine.js';
import { countItems, itemsNoun } from '../engines/nouns.js';
import { loadEngine } from '../engines/registry.js';
import { ignoreProgress } from '../progress.js';
import { ItemSplitter, MultisetDigest } from './item-digest.js';

/**
 * Compares a database with an archive, table by table (collection by
 * collection): row/document counts and content. The database is dumped again
 * through the same engine into digesting streams (nothing is stored), so
 * "content" means exactly the bytes a backup would hold. A stream whose
 * digest matches the archive's is equal; otherwise the items are compared as
 * a multiset, since a restore may legitimately change the order.
 */

/** How one table or collection compared. */
export interface UnitComparison {
  /** Table or collection, as the archive names it. */
  unit: string;
  archiveItems: number;
  databaseItems: number;
  match: boolean;
  /** `bytes`: byte-identical streams (equal digests); `multiset`: same items in another order. */
  method: 'bytes' | 'multiset';
  problem?: string;
}

export interface ContentComparison {
  compared: number;
  units: UnitComparison[];
  /** One line per difference; empty when the database matches the archive. */
  mismatches: string[];
}

export interface CompareOptions {
  /** Maps an archive unit name to the name it has in the database (restores with renames). Default: same name. */
  rename?: (unit: string) => string;
  /** Engine options for the re-dump (e.g. MongoDB `databases`). */
  backupOptions?: Record<string, unknown>;
  jobs?: number;
  signal?: AbortSignal;
}

/** Streams that hold no table or collection data (MongoDB's captured oplog and the like). */
export function isDataStream(name: string): boolean {
  return !name.startsWith('$');
}

interface Digested {
  digest: RecordedDigest | undefined;
  items: number;
  multiset: MultisetDigest;
  problem?: string;
}

/** A {@link StreamWriterSet} that keeps only digests of what an engine writes. */
class DigestingStreams implements StreamWriterSet {
  readonly streams = new Map<string, Digested>();

  /** @param algorithm the archive's stream digest, so equal bytes give equal digests */
  constructor(
    private readonly engine: string,
    private readonly algorithm: DigestAlgorithm,
  ) {}

  open(name: string): EngineStreamWriter {
    const hash = createStreamDigest(this.algorithm);
    const splitter = new ItemSplitter(this.engine);
    const entry: Digested = { digest: undefined, items: 0, multiset: splitter.digest };
    this.streams.set(name, entry);
    const writer = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        try {
          splitter.push(chunk);
        } catch (err) {
          entry.problem ??= (err as Error).message;
        }
        callback();
      },
      final(callback) {
        entry.digest = recordDigest(hash.algorithm, hash.hex());
        entry.items = writer.itemCount;
        const problem = splitter.end();
        if (problem) entry.problem ??= problem;
        callback();
      },
    }) as EngineStreamWriter;
    writer.itemCount = 0;
    return writer;
  }
}

/** Dumps `url` again and compares it with the archive open in `reader`. */
export async function compareWithDatabase(
  reader: ArchiveReader,
  url: string,
  options: CompareOptions = {},
): Promise<ContentComparison> {
  const { manifest } = reader;
  const engineName = manifest.engine;
  const engine = await loadEngine(engineName);
  const first = manifest.streams[0];
  const dumped = new DigestingStreams(engineName, first ? recordedDigest(first).algorithm : 'sha256');
  const dump = await engine.backup({
    url,
    streams: dumped,
    jobs: options.jobs ?? 1,
    options: options.backupOptions ?? {},
    progress: ignoreProgress,
    signal: options.signal,
  });
  await dump.closing;
  const rename = options.rename ?? ((u: string) => u);

  // The archive's data streams, grouped by table/collection.
  const archiveUnits = new Map<string, typeof manifest.streams>();
  for (const s of manifest.streams.filter((s) => isDataStream(s.name))) {
    const unit = engine.unitOfStream(s.name);
    archiveUnits.set(unit, [...(archiveUnits.get(unit) ?? []), s]);
  }
  const databaseUnits = new Map<string, { name: string; digest: Digested }[]>();
  for (const [name, digest] of dumped.streams) {
    if (!isDataStream(name)) continue;
    const unit = engine.unitOfStream(name);
    databaseUnits.set(unit, [...(databaseUnits.get(unit) ?? []), { name, digest }]);
  }

  const units: UnitComparison[] = [];
  const claimed = new Set<string>();
  for (const [unit, streams] of archiveUnits) {
    const target = rename(unit);
    claimed.add(target);
    const found = databaseUnits.get(target) ?? [];
    const archiveItems = streams.reduce((n, s) => n + s.items, 0);
    const databaseItems = found.reduce((n, f) => n + f.digest.items, 0);
    if (found.length === 0) {
      units.push({
        unit,
        archiveItems,
        databaseItems: 0,
        match: false,
        method: 'multiset',
        problem: `${target} is missing from the database`,
      });
      continue;
    }
    // Fast path: same slicing and identical bytes.
    const sameBytes =
      streams.length === found.length &&
      streams.every((s) => found.some((f) => sameDigest(f.digest.digest, s) && f.digest.items === s.items));
    if (sameBytes) {
      units.push({ unit, archiveItems, databaseItems, match: true, method: 'bytes' });
      continue;
    }
    const archiveDigest = new MultisetDigest();
    let problem: string | undefined;
    for (const s of streams) {
      const splitter = new ItemSplitter(engineName);
      for await (const chunk of reader.open(s.name)) splitter.push(chunk as Buffer);
      problem ??= splitter.end();
      archiveDigest.merge(splitter.digest);
    }
    const databaseDigest = new MultisetDigest();
    for (const f of found) {
      databaseDigest.merge(f.digest.multiset);
      problem ??= f.digest.problem;
    }
    const countsMatch = archiveItems === databaseItems;
    const contentMatch =
      archiveDigest.hex() === databaseDigest.hex() && archiveDigest.count === databaseDigest.count;
    units.push({
      unit,
      archiveItems,
      databaseItems,
      match: countsMatch && contentMatch && !problem,
      method: 'multiset',
      ...(problem
        ? { problem }
        : !countsMatch
          ? {
              problem: `${target}: ${countItems(engineName, databaseItems)} in the database, ${archiveItems} in the archive`,
            }
          : !contentMatch
            ? {
                problem: `${target}: content differs from the archive (same count, different ${itemsNoun(engineName)})`,
              }
            : {}),
    });
  }
  for (const [unit, found] of databaseUnits) {
    if (claimed.has(unit)) continue;
    const databaseItems = found.reduce((n, f) => n + f.digest.items, 0);
    units.push({
      unit,
      archiveItems: 0,
      databaseItems,
      match: false,
      method: 'multiset',
      problem: `${unit} is in the database but not in the archive`,
    });
  }
  return {
    compared: units.length,
    units,
    mismatches: units.filter((u) => !u.match).map((u) => u.problem ?? `${u.unit} differs`),
  };
}
