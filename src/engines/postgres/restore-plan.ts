import { StowageError, UsageError } from '../../errors.js';
import type { StreamSummary } from '../engine.js';
import type { LockMode } from '../kit/scheduler.js';
import type { LoadGroup } from './data-only.js';
import { qualify } from './ident.js';
import type { LargeObjects } from './large-objects.js';
import type { PgObject, PgSequenceValue, PgTableData, PostgresSchema, RelationRef } from './model.js';
import type { PostgresRestoreOptions } from './options.js';
import type { Selection } from './selection.js';
import { selectForRestore } from './selection.js';

/**
 * What a PostgreSQL restore will do, worked out from the archived schema, the
 * options and the archive's stream list alone: no server is asked, so every
 * decision here is testable without one (restore-plan.unit.test.ts). The
 * runner (restore.ts) examines the target, trims the plan to it (server
 * version, types already installed) and executes it.
 */
export interface RestorePlan {
  dataOnly: boolean;
  schemaOnly: boolean;
  ownership: { owner: boolean; acl: boolean; mapRoles: Record<string, string> };
  selection: Selection;
  /** Tables whose rows are loaded (none for schema-only). */
  tables: PgTableData[];
  /** Sequence values to set (none for schema-only: they are data). */
  sequences: PgSequenceValue[];
  largeObjects?: LargeObjects;
  /** Created on one session, in order, before any data. */
  preData: PgObject[];
  /** Built in parallel as the data they need comes in (see {@link planSchedule}). */
  postData: PgObject[];
  /** Created last, after owners and privileges: they must not fire on the restore's own DDL. */
  eventTriggers: PgObject[];
  /** Archived stream name → what the archive says of it. */
  streams: Map<string, StreamSummary>;
}

/**
 * Checks the options against the archive and decides what to restore. Throws
 * a {@link UsageError} for options that contradict each other or the archive,
 * and `missing-stream` when the archive lacks data the plan needs. Warnings
 * (a data-only archive restored as such, objects a selection leaves out) are
 * added to `warnings`.
 */
export function planRestore(
  schema: PostgresSchema,
  options: PostgresRestoreOptions,
  streams: readonly StreamSummary[],
  warnings: string[],
): RestorePlan {
  const ownership = {
    owner: options.owner !== false,
    acl: options.acl !== false,
    mapRoles: options.mapRoles ?? {},
  };
  if (options.globals && !schema.globals) {
    throw new UsageError(
      'this archive holds no roles or tablespaces (it was not backed up with --globals)',
      'restore without --globals, or use a backup made with --globals',
    );
  }
  if (options.schemaOnly && options.dataOnly) {
    throw new UsageError(
      'schema-only and data-only exclude each other',
      'pick one of --schema-only and --data-only',
    );
  }
  if (schema.contents === 'schema-only' && options.dataOnly) {
    throw new UsageError(
      'this archive holds no table data (it is a schema-only backup)',
      'restore without --data-only',
    );
  }
  let dataOnly = !!options.dataOnly;
  if (schema.contents === 'data-only' && !dataOnly) {
    dataOnly = true;
    warnings.push('the archive is a data-only backup: loading it into the existing tables');
  }
  const schemaOnly = !!options.schemaOnly || schema.contents === 'schema-only';
  if (options.disableTriggers && !dataOnly) {
    throw new UsageError(
      '--disable-triggers only applies to a data-only restore',
      'add --data-only or drop --disable-triggers',
    );
  }

  const selection = selectForRestore(schema, options, warnings);
  const tables = schemaOnly ? [] : selection.tables;
  // Sequence values are data (pg_restore --schema-only leaves them at their start too).
  const sequences = schemaOnly ? [] : selection.sequences;
  const summaries = new Map(streams.map((s) => [s.name, s]));
  for (const t of tables) {
    if (!t.streams.every((stream) => summaries.has(stream))) {
      throw new StowageError(
        'missing-stream',
        `the archive has no data stream for table ${qualify(t.schema, t.name)}`,
        'the archive is incomplete or damaged; restore from another backup',
      );
    }
  }
  // Large objects belong to no schema: a selective restore leaves them out, as pg_restore does.
  const selective = !!(options.includeSchemas?.length || options.includeTables?.length);
  const largeObjects = !schemaOnly && (options.largeObjects ?? !selective) ? schema.largeObjects : undefined;
  if (largeObjects && !summaries.has(largeObjects.stream)) {
    throw new StowageError(
      'missing-stream',
      'the archive has no data stream for its large objects',
      'the archive is incomplete or damaged; restore from another backup',
    );
  }
  return {
    dataOnly,
    schemaOnly,
    ownership,
    selection,
    tables,
    sequences,
    ...(largeObjects ? { largeObjects } : {}),
    preData: dataOnly ? [] : selection.objects.filter((o) => o.section === 'pre-data'),
    // Data-only still refreshes materialized views: their contents are data.
    postData: selection.objects.filter(
      (o) => o.section === 'post-data' && (!dataOnly || o.kind === 'refresh') && o.kind !== 'event-trigger',
    ),
    eventTriggers: dataOnly ? [] : selection.objects.filter((o) => o.kind === 'event-trigger'),
    streams: summaries,
  };
}

/** One unit of the parallel part of a restore; the runner knows how to do each kind. */
export type RestoreWork =
  /** One archived stream of a table (a big table has several, loaded side by side). */
  | { kind: 'load'; table: PgTableData; stream: string }
  /** Tables in a foreign-key cycle (data-only): loaded one after the other in one transaction. */
  | { kind: 'load-together'; tables: PgTableData[] }
  | { kind: 'large-objects'; stream: string }
  | { kind: 'sequences' }
  | { kind: 'post-data'; object: PgObject };

/** A task of the restore's schedule (see kit/scheduler.ts for what the fields mean to it). */
export interface RestoreTask {
  id: string;
  deps: string[];
  locks: { key: string; mode: LockMode }[];
  priority: number;
  size: number;
  /** Set on small post-data and small tables' loads that may go to the server together with others of their key (see kit/scheduler.ts). */
  batch?: string;
  /** Bytes of the tables a batched object reads or a batched load writes (a batch stays small, so big work keeps running side by side). */
  batchWeight?: number;
  work: RestoreWork;
}

/** Post-data of tables up to this size may be sent to the server together with others' (one round trip for many). */
export const BATCH_TABLE_BYTES = 1024 * 1024;
/** Most table bytes the objects of one batch read, so a batch stays a short turn of its session. */
export const BATCH_WEIGHT = 8 * 1024 * 1024;

/**
 * Data, sequence values and post-data as one schedule, like pg_restore -j: an
 * index or constraint waits only for its own table's data, so the tables
 * loaded first get their indexes built while the rest still load, instead of
 * every build waiting for the last row of the last table.
 *
 * `groups` says how tables load: one group per table, or (data-only into
 * tables with foreign keys) parents before children, a cycle as one group.
 * Without it every table loads on its own.
 */
export function planSchedule(
  plan: Pick<RestorePlan, 'tables' | 'sequences' | 'largeObjects' | 'postData' | 'streams'>,
  partitions: PostgresSchema['partitions'],
  groups?: LoadGroup[],
): RestoreTask[] {
  const { tables, largeObjects, streams } = plan;
  const bytesOf = (stream: string) => streams.get(stream)?.rawBytes ?? 0;
  const tableBytes = (t: PgTableData) => t.streams.reduce((n, s) => n + bytesOf(s), 0);
  const keyOf = (t: PgTableData) => qualify(t.schema, t.name);
  const byKey = new Map(tables.map((t) => [keyOf(t), t]));
  const loadGroups = groups ?? tables.map((t) => ({ id: keyOf(t), tables: [keyOf(t)], deps: [] }));

  // A table alone loads as one task per part, so the parts of a big table load side by side.
  // Tables in a foreign-key cycle load in one task: one transaction, deferrable keys checked at commit.
  const taskIds = new Map(
    loadGroups.map((g) => [g.id, g.tables.length === 1 ? (byKey.get(g.id) as PgTableData).streams : [g.id]]),
  );
  const tableTaskIds = new Map<string, string[]>();
  for (const g of loadGroups) for (const k of g.tables) tableTaskIds.set(k, taskIds.get(g.id) ?? [g.id]);
  // Biggest table first, its parts together (each sized as the whole table): its index builds, the
  // longest post-data work, can start only once all of them are in, and then overlap with loading
  // the smaller tables.
  const data: RestoreTask[] = loadGroups.flatMap((g): RestoreTask[] => {
    const deps = g.deps.flatMap((d) => taskIds.get(d) ?? [d]);
    const members = g.tables.map((k) => byKey.get(k) as PgTableData);
    if (members.length === 1) {
      const table = members[0] as PgTableData;
      return table.streams.map((stream) => ({
        ...(table.streams.length === 1 ? loadBatchOf(tableBytes(table)) : {}),
        id: stream,
        deps,
        locks: [],
        priority: 0,
        size: tableBytes(table),
        work: { kind: 'load', table, stream },
      }));
    }
    return [
      {
        id: g.id,
        deps,
        locks: [],
        priority: 0,
        size: members.reduce((n, t) => n + tableBytes(t), 0),
        work: { kind: 'load-together', tables: members },
      },
    ];
  });
  if (largeObjects) {
    data.push({
      id: largeObjects.stream,
      deps: [],
      locks: [],
      priority: 0,
      size: bytesOf(largeObjects.stream),
      work: { kind: 'large-objects', stream: largeObjects.stream },
    });
  }
  const allData = data.map((t) => t.id);

  // Sequence values and post-data go ahead of any load that is ready: a build whose table is in
  // should not wait behind the remaining loads.
  const sequences: RestoreTask[] = plan.sequences.length
    ? [{ id: 'sequence values', deps: allData, locks: [], priority: 1, size: 0, work: { kind: 'sequences' } }]
    : [];

  // Post-data work inside one partition tree can deadlock in the server (an ALTER on the parent
  // locks down the tree, an attach locks up it), and two attaches at once can each miss the other
  // and leave the parent index invalid. So within a tree only plain index builds run side by side;
  // everything else takes turns (keyed by the tree's root table).
  const roots = new Map<string, RelationRef>();
  for (const p of partitions) {
    const root = p.ancestors[p.ancestors.length - 1] ?? p;
    roots.set(`${p.schema}.${p.name}`, root);
    roots.set(`${root.schema}.${root.name}`, root);
  }
  const treeLock = (o: PgObject): RestoreTask['locks'] => {
    const root = o.relation && roots.get(`${o.relation.schema}.${o.relation.name}`);
    if (!root) return [];
    return [
      {
        key: `tree:${root.schema}.${root.name}`,
        mode: o.kind === 'index' && o.lock === 'share' ? 'share' : 'exclusive',
      },
    ];
  };
  /**
   * The data tasks a post-data object waits for. Indexes, constraints, triggers, rules and
   * policies of a plain table need only that table's rows (and a foreign key the referenced
   * table's too); anything else (a materialized view refresh reads other tables, an index on a
   * partitioned table covers every partition) waits for all of the data.
   */
  const postDataWaitsFor = (o: PgObject): string[] => {
    if (!TABLE_LOCAL_KINDS.has(o.kind) || !o.relation) return allData;
    // A CHECK added without ONLY (tables.ts) reaches the table's inheritance children, whose rows may still be loading.
    if (o.kind === 'constraint' && /^ALTER (?:FOREIGN )?TABLE (?!ONLY )/.test(o.sql[0] ?? '')) return allData;
    const waits: string[] = [];
    for (const r of [o.relation, ...(o.references ?? [])]) {
      if (roots.has(`${r.schema}.${r.name}`)) return allData;
      waits.push(...(tableTaskIds.get(qualify(r.schema, r.name)) ?? []));
    }
    return waits;
  };
  /**
   * Whether `o` may share one round trip with other objects: a table-local object (index,
   * constraint, foreign key, …) of small tables, whose statements all run in a transaction
   * block (a batch is one implicit transaction). Big tables' builds stay one per turn, side by side.
   */
  const batchWeight = (o: PgObject): number | undefined => {
    if (!TABLE_LOCAL_KINDS.has(o.kind) || !o.relation) return undefined;
    if (o.sql.some((s) => /\bCONCURRENTLY\b/i.test(s))) return undefined;
    let bytes = 0;
    for (const r of [o.relation, ...(o.references ?? [])]) {
      const t = byKey.get(qualify(r.schema, r.name));
      if (t) bytes += tableBytes(t);
    }
    return bytes <= BATCH_TABLE_BYTES ? bytes : undefined;
  };
  const postData: RestoreTask[] = plan.postData.map((o) => ({
    ...batchOf(batchWeight(o)),
    id: o.id,
    deps: [...(o.deps ?? []), ...postDataWaitsFor(o)],
    // Two share holders (index builds) run side by side on a table; anything else runs alone there,
    // which keeps parallel post-data free of lock waits and deadlocks (two foreign keys between
    // the same pair of tables, say).
    locks: [
      ...(o.relation
        ? [{ key: `${o.relation.schema}.${o.relation.name}`, mode: o.lock ?? 'exclusive' }]
        : []),
      ...(o.references ?? []).map((r) => ({ key: `${r.schema}.${r.name}`, mode: 'exclusive' as const })),
      ...treeLock(o),
    ],
    priority: 1,
    size: 0,
    work: { kind: 'post-data', object: o },
  }));
  return [...sequences, ...postData, ...data];
}

/**
 * A small table's load may go in one transaction with other small tables' (several COPYs, one
 * commit): thousands of tables cost a few commits instead of one each, and their indexes and
 * constraints become ready together, so post-data batches fill up too.
 */
function loadBatchOf(bytes: number): Pick<RestoreTask, 'batch' | 'batchWeight'> {
  return bytes <= BATCH_TABLE_BYTES ? { batch: SMALL_TABLE_LOADS, batchWeight: bytes } : {};
}

/** The batch key of small tables' loads (see {@link loadBatchOf}). */
export const SMALL_TABLE_LOADS = 'small table loads';

function batchOf(weight: number | undefined): Pick<RestoreTask, 'batch' | 'batchWeight'> {
  return weight === undefined ? {} : { batch: 'table-local post-data', batchWeight: weight };
}

/** Post-data kinds that belong to one table and need no other table's rows but a foreign key's referenced one. */
const TABLE_LOCAL_KINDS: ReadonlySet<PgObject['kind']> = new Set([
  'index',
  'constraint',
  'foreign-key',
  'trigger',
  'rule',
  'policy',
  'row-security',
]);
