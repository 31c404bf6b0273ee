import { StowageError, UsageError } from '../../errors.js';
import type { LockMode } from '../../scheduler/scheduler.js';
import type { StreamSummary } from '../engine.js';
import type { PgSession } from './connect.js';
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
  /** Nothing to do: finishes once every load has (see {@link ALL_DATA}). */
  | { kind: 'all-data' }
  | { kind: 'post-data'; object: PgObject };

/** A task of the restore's schedule (see scheduler/scheduler.ts for what the fields mean to it). */
export interface RestoreTask {
  id: string;
  /** A post-data object's are its own `deps`, the archived list itself (not a copy). */
  deps: readonly string[];
  /** The loads a post-data object waits for besides its own dependencies: a list shared with the other objects of its table. */
  after: readonly string[];
  /** A list of one lock is shared by every task taking that lock. */
  locks: readonly { key: string; mode: LockMode }[];
  priority: number;
  size: number;
  /** Set on small post-data and small tables' loads that may go to the server together with others of their key (see scheduler/scheduler.ts). */
  batch?: string;
  /** Bytes of the tables a batched object reads or a batched load writes (a batch stays small, so big work keeps running side by side). */
  batchWeight?: number;
  work: RestoreWork;
  /** Does the work: one function for every task, called as the task's method (see {@link planSchedule}). */
  run: RunTask;
}

/** What runs a task's work on a session (the runner's, restore.ts); `this` is the task. */
export type RunTask = (this: RestoreTask, session: PgSession) => Promise<void>;

/** The `run` of a schedule planned only to be looked at (tests, a printed plan). */
const notRunnable: RunTask = () =>
  Promise.reject(new Error('this restore schedule was planned without a runner'));

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
 *
 * Linear in the number of tables and objects (tens of thousands of each): every
 * table's load tasks, bytes and lock key are worked out once, and work that
 * waits for all of the data waits for one {@link ALL_DATA} task instead of
 * naming every load.
 *
 * `run` is every task's `run`, one function called as each task's method: the
 * tasks are made once with it, not copied to add it (80,000 tasks at 20,000 tables).
 */
export function planSchedule(
  plan: Pick<RestorePlan, 'tables' | 'sequences' | 'largeObjects' | 'postData' | 'streams'>,
  partitions: PostgresSchema['partitions'],
  groups?: LoadGroup[],
  run: RunTask = notRunnable,
): RestoreTask[] {
  const { tables, largeObjects, streams } = plan;
  const bytesOf = (stream: string) => streams.get(stream)?.rawBytes ?? 0;
  /** Per table: its bytes, lock key and the tasks that load it (set below). */
  const infos = new RelationMap<TableInfo>();
  const byKey = new Map<string, TableInfo>();
  for (const table of tables) {
    let bytes = 0;
    for (const s of table.streams) bytes += bytesOf(s);
    const info: TableInfo = { table, bytes, lockKey: `${table.schema}.${table.name}`, loads: table.streams };
    infos.set(table, info);
    byKey.set(qualify(table.schema, table.name), info);
  }
  const memberOf = (key: string) => byKey.get(key) as TableInfo;

  // A table alone loads as one task per part, so the parts of a big table load side by side.
  // Tables in a foreign-key cycle load in one task: one transaction, deferrable keys checked at commit.
  const data: RestoreTask[] = [];
  if (groups) {
    const groupTasks = new Map<string, readonly string[]>();
    for (const g of groups) {
      const ids = g.tables.length === 1 ? memberOf(g.id).table.streams : [g.id];
      groupTasks.set(g.id, ids);
      for (const k of g.tables) memberOf(k).loads = ids;
    }
    for (const g of groups) {
      const deps = g.deps.flatMap((d) => groupTasks.get(d) ?? [d]);
      const members = g.tables.map(memberOf);
      if (members.length === 1) addLoads(data, members[0] as TableInfo, deps, run);
      else
        data.push(
          task(
            {
              id: g.id,
              deps,
              locks: NONE_LOCKED,
              priority: 0,
              size: members.reduce((n, m) => n + m.bytes, 0),
              work: { kind: 'load-together', tables: members.map((m) => m.table) },
            },
            run,
          ),
        );
    }
  } else {
    for (const table of tables) addLoads(data, infos.get(table) as TableInfo, NONE, run);
  }
  if (largeObjects) {
    data.push(
      task(
        {
          id: largeObjects.stream,
          deps: NONE,
          locks: NONE_LOCKED,
          priority: 0,
          size: bytesOf(largeObjects.stream),
          work: { kind: 'large-objects', stream: largeObjects.stream },
        },
        run,
      ),
    );
  }
  /** Work that needs all of the data waits for this one task, which waits for every load. */
  const allData = task(
    {
      id: ALL_DATA,
      deps: data.map((t) => t.id),
      locks: NONE_LOCKED,
      priority: 1,
      size: 0,
      work: { kind: 'all-data' },
    },
    run,
  );
  const afterAllData = [ALL_DATA];

  // Sequence values and post-data go ahead of any load that is ready: a build whose table is in
  // should not wait behind the remaining loads.
  const sequences: RestoreTask[] = plan.sequences.length
    ? [
        task(
          {
            id: 'sequence values',
            deps: afterAllData,
            locks: NONE_LOCKED,
            priority: 1,
            size: 0,
            work: { kind: 'sequences' },
          },
          run,
        ),
      ]
    : [];

  // Post-data work inside one partition tree can deadlock in the server (an ALTER on the parent
  // locks down the tree, an attach locks up it), and two attaches at once can each miss the other
  // and leave the parent index invalid. So within a tree only plain index builds run side by side;
  // everything else takes turns (keyed by the tree's root table).
  const roots = new RelationMap<string>();
  for (const p of partitions) {
    const root = p.ancestors[p.ancestors.length - 1] ?? p;
    const key = `tree:${root.schema}.${root.name}`;
    roots.set(p, key);
    roots.set(root, key);
  }
  /**
   * The tasks a post-data object waits for, besides its own dependencies. Indexes, constraints,
   * triggers, rules and policies of a plain table need only that table's rows (and a foreign key
   * the referenced table's too); anything else (a materialized view refresh reads other tables,
   * an index on a partitioned table covers every partition) waits for all of the data.
   */
  const postDataWaitsFor = (o: PgObject): readonly string[] => {
    if (!TABLE_LOCAL_KINDS.has(o.kind) || !o.relation) return afterAllData;
    // A CHECK added without ONLY (tables.ts) reaches the table's inheritance children, whose rows may still be loading.
    if (o.kind === 'constraint' && /^ALTER (?:FOREIGN )?TABLE (?!ONLY )/.test(o.sql[0] ?? ''))
      return afterAllData;
    if (roots.get(o.relation)) return afterAllData;
    const own = infos.get(o.relation)?.loads ?? NONE;
    if (!o.references?.length) return own;
    const theirs: (readonly string[])[] = [];
    for (const r of o.references) {
      if (roots.get(r)) return afterAllData;
      const loads = infos.get(r)?.loads;
      if (loads) theirs.push(loads);
    }
    // Sized to what it holds (kept with the task to the end of the run).
    return own.concat(...theirs);
  };
  /**
   * Whether `o` may share one round trip with other objects: a table-local object (index,
   * constraint, foreign key, …) of small tables, whose statements all run in a transaction
   * block (a batch is one implicit transaction). Big tables' builds stay one per turn, side by side.
   */
  const batchWeight = (o: PgObject): number | undefined => {
    if (!TABLE_LOCAL_KINDS.has(o.kind) || !o.relation) return undefined;
    if (o.sql.some((s) => /\bCONCURRENTLY\b/i.test(s))) return undefined;
    let bytes = infos.get(o.relation)?.bytes ?? 0;
    for (const r of o.references ?? []) bytes += infos.get(r)?.bytes ?? 0;
    return bytes <= BATCH_TABLE_BYTES ? bytes : undefined;
  };
  const lockKey = (r: RelationRef) => infos.get(r)?.lockKey ?? `${r.schema}.${r.name}`;
  const { lock, alone } = sharedLocks();
  let waitsForAll = sequences.length > 0;
  const postData = plan.postData.map((o): RestoreTask => {
    // Two share holders (index builds) run side by side on a table; anything else runs alone there,
    // which keeps parallel post-data free of lock waits and deadlocks (two foreign keys between
    // the same pair of tables, say).
    const locks: { key: string; mode: LockMode }[] = [];
    if (o.relation) locks.push(lock(lockKey(o.relation), o.lock ?? 'exclusive'));
    for (const r of o.references ?? []) locks.push(lock(lockKey(r), 'exclusive'));
    const tree = o.relation && roots.get(o.relation);
    if (tree) locks.push(lock(tree, o.kind === 'index' && o.lock === 'share' ? 'share' : 'exclusive'));
    const waits = postDataWaitsFor(o);
    if (waits === afterAllData) waitsForAll = true;
    // No list made per task where a shared one does: the object's own dependencies and its table's
    // loads are two lists, and a single lock's list is the lock's (60,000 tasks at 20,000 tables;
    // their copies were ~6 MB, held to the end). Lists made here are sized to what they hold: an
    // array pushed into from empty keeps room for 16 more.
    const weight = batchWeight(o);
    return task(
      {
        id: o.id,
        deps: o.deps,
        after: waits,
        locks: locks.length === 0 ? NONE_LOCKED : locks.length === 1 ? alone(locks[0]!) : locks.slice(),
        priority: 1,
        size: 0,
        work: { kind: 'post-data', object: o },
      },
      run,
      weight === undefined ? undefined : 'table-local post-data',
      weight,
    );
  });
  return [...(waitsForAll ? [allData] : []), ...sequences, ...postData, ...data];
}

/** The schedule's task that finishes once all of the data is in (the runner has nothing to do for it). */
export const ALL_DATA = 'all data';

interface TableInfo {
  table: PgTableData;
  /** Raw bytes of all of the table's streams. */
  bytes: number;
  /** The scheduler's lock key for the table. */
  lockKey: string;
  /** The tasks that load its rows: one per stream, or its group's one task. */
  loads: readonly string[];
}

/** Loads of a table alone: one task per stream, each sized as the whole table (see below). */
function addLoads(into: RestoreTask[], info: TableInfo, deps: readonly string[], run: RunTask): void {
  // Biggest table first, its parts together (each sized as the whole table): its index builds, the
  // longest post-data work, can start only once all of them are in, and then overlap with loading
  // the smaller tables.
  // A small table's load may go in one transaction with other small tables' (several COPYs, one
  // commit): thousands of tables cost a few commits instead of one each, and their indexes and
  // constraints become ready together, so post-data batches fill up too.
  const batched = info.table.streams.length === 1 && info.bytes <= BATCH_TABLE_BYTES;
  for (const stream of info.table.streams) {
    into.push(
      task(
        {
          id: stream,
          deps,
          locks: NONE_LOCKED,
          priority: 0,
          size: info.bytes,
          work: { kind: 'load', table: info.table, stream },
        },
        run,
        batched ? SMALL_TABLE_LOADS : undefined,
        batched ? info.bytes : undefined,
      ),
    );
  }
}

/**
 * A task with every field in one order, `batch` and `batchWeight` present even when unset: all
 * tasks then share one shape, their fields inside the object. Fields added to a task after it was
 * made (or a copy of it spread with one more) went to a separate property array: 4 MB at 20,000
 * tables, held through the restore (docs/BENCHMARKS.md, session 14).
 */
function task(
  fields: Pick<RestoreTask, 'id' | 'deps' | 'locks' | 'priority' | 'size' | 'work'> & {
    after?: readonly string[];
  },
  run: RunTask,
  batch?: string,
  batchWeight?: number,
): RestoreTask {
  return {
    id: fields.id,
    deps: fields.deps,
    after: fields.after ?? NONE,
    locks: fields.locks,
    priority: fields.priority,
    size: fields.size,
    batch,
    batchWeight,
    work: fields.work,
    run,
  };
}

/** No ids, no locks: one empty list for every task without any. */
const NONE: readonly string[] = Object.freeze([]);
const NONE_LOCKED: RestoreTask['locks'] = Object.freeze([]);

/**
 * One lock object per key and mode, shared by the tasks that take it (a restore plans one per
 * post-data object), and one list of just that lock (`alone`) for the tasks that take no other.
 */
function sharedLocks(): {
  lock: (key: string, mode: LockMode) => RestoreTask['locks'][number];
  alone: (lock: RestoreTask['locks'][number]) => RestoreTask['locks'];
} {
  // A map per mode, not one keyed by a string made of both: that was a new string per lookup.
  const byMode = new Map<LockMode, Map<string, RestoreTask['locks'][number]>>();
  const lists = new Map<RestoreTask['locks'][number], RestoreTask['locks']>();
  return {
    lock: (key, mode) => {
      let locks = byMode.get(mode);
      if (!locks) {
        locks = new Map();
        byMode.set(mode, locks);
      }
      let lock = locks.get(key);
      if (!lock) {
        lock = { key, mode };
        locks.set(key, lock);
      }
      return lock;
    },
    alone: (lock) => {
      let list = lists.get(lock);
      if (!list) {
        list = Object.freeze([lock]);
        lists.set(lock, list);
      }
      return list;
    },
  };
}

/** The batch key of small tables' loads (see {@link loadBatchOf}). */
export const SMALL_TABLE_LOADS = 'small table loads';

/** A map keyed by relation (schema and name), without building a string key per lookup. */
class RelationMap<V> {
  private readonly bySchema = new Map<string, Map<string, V>>();

  set(r: RelationRef, value: V): void {
    let names = this.bySchema.get(r.schema);
    if (!names) {
      names = new Map();
      this.bySchema.set(r.schema, names);
    }
    names.set(r.name, value);
  }

  get(r: RelationRef): V | undefined {
    return this.bySchema.get(r.schema)?.get(r.name);
  }
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
