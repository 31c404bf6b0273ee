import { StowageError, UsageError } from '../../errors.js';
import type { LockMode, TaskList } from '../../scheduler/scheduler.js';
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
 * The schedule keeps a few numbers per task and makes each task when asked
 * ({@link RestoreSchedule.at}): the scheduler reads them all once to wire
 * them, and again one by one as they start, so no task object lives but
 * those running (80,000 tasks at 20,000 tables were ~15 MB with their work
 * records and lock lists, held through the restore). `run` is every task's
 * `run`, one function called as each task's method.
 */
export class RestoreSchedule implements TaskList<PgSession> {
  /** What each task is (one of the `*_TASK` numbers below). */
  private readonly what: Uint8Array;
  /** A post-data task's object (in `postData`), a load's table (in `infos`), a load-together's group. */
  private readonly ref: Int32Array;
  /** A load's stream among its table's; a post-data task's `WAITS_*`. */
  private readonly part: Int32Array;
  private readonly sizes: Float64Array;
  /** `batchWeight` of a batched task; NaN for one that is not batched. */
  private readonly weights: Float64Array;
  /** Where the data tasks (loads, load-togethers, large objects) begin. */
  private readonly dataStart: number;
  private readonly infos: TableInfo[] = [];
  private readonly infoOf = new RelationMap<TableInfo>();
  private readonly groups: { id: string; members: TableInfo[]; deps: readonly string[] }[] = [];
  /** Lock key of each partition tree's tables (see the constructor). */
  private readonly roots = new RelationMap<string>();
  private readonly postData: readonly PgObject[];
  private readonly largeObjects: string | undefined;

  constructor(
    plan: Pick<RestorePlan, 'tables' | 'sequences' | 'largeObjects' | 'postData' | 'streams'>,
    partitions: PostgresSchema['partitions'],
    groups: LoadGroup[] | undefined,
    private readonly run: RunTask,
  ) {
    const { tables, streams } = plan;
    this.postData = plan.postData;
    this.largeObjects = plan.largeObjects?.stream;
    const bytesOf = (stream: string) => streams.get(stream)?.rawBytes ?? 0;
    const byKey = new Map<string, TableInfo>();
    for (const table of tables) {
      let bytes = 0;
      for (const s of table.streams) bytes += bytesOf(s);
      const info: TableInfo = {
        index: this.infos.length,
        table,
        bytes,
        lockKey: `${table.schema}.${table.name}`,
        loads: table.streams,
        loadDeps: NONE,
      };
      this.infos.push(info);
      this.infoOf.set(table, info);
      byKey.set(qualify(table.schema, table.name), info);
    }
    const memberOf = (key: string) => byKey.get(key) as TableInfo;

    // A table alone loads as one task per part, so the parts of a big table load side by side.
    // Tables in a foreign-key cycle load in one task: one transaction, deferrable keys checked at commit.
    const data = { what: [] as number[], ref: [] as number[], part: [] as number[], size: [] as number[] };
    const addData = (what: number, ref: number, part: number, size: number) => {
      data.what.push(what);
      data.ref.push(ref);
      data.part.push(part);
      data.size.push(size);
    };
    const addLoads = (info: TableInfo, deps: readonly string[]) => {
      info.loadDeps = deps;
      for (let p = 0; p < info.table.streams.length; p++) addData(LOAD_TASK, info.index, p, info.bytes);
    };
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
        if (members.length === 1) addLoads(members[0] as TableInfo, deps);
        else {
          addData(
            LOAD_TOGETHER_TASK,
            this.groups.length,
            0,
            members.reduce((n, m) => n + m.bytes, 0),
          );
          this.groups.push({ id: g.id, members, deps });
        }
      }
    } else {
      for (const info of this.infos) addLoads(info, NONE);
    }
    if (this.largeObjects) addData(LARGE_OBJECTS_TASK, 0, 0, bytesOf(this.largeObjects));

    // Post-data work inside one partition tree can deadlock in the server (an ALTER on the parent
    // locks down the tree, an attach locks up it), and two attaches at once can each miss the other
    // and leave the parent index invalid. So within a tree only plain index builds run side by side;
    // everything else takes turns (keyed by the tree's root table).
    for (const p of partitions) {
      const root = p.ancestors[p.ancestors.length - 1] ?? p;
      const key = `tree:${root.schema}.${root.name}`;
      this.roots.set(p, key);
      this.roots.set(root, key);
    }
    // What each post-data object waits for and whether it is batched, worked out once here: both
    // read its statements, which a packed object unpacks on every read.
    const waits = new Uint8Array(this.postData.length);
    const postWeights = new Float64Array(this.postData.length);
    let waitsForAll = plan.sequences.length > 0;
    this.postData.forEach((o, i) => {
      waits[i] = this.waitsOf(o);
      if (waits[i] === WAITS_ALL) waitsForAll = true;
      postWeights[i] = this.batchWeightOf(o);
    });

    // Sequence values and post-data go ahead of any load that is ready: a build whose table is in
    // should not wait behind the remaining loads.
    const head = [
      ...(waitsForAll ? [ALL_DATA_TASK] : []),
      ...(plan.sequences.length ? [SEQUENCES_TASK] : []),
    ];
    const n = head.length + this.postData.length + data.what.length;
    this.what = new Uint8Array(n);
    this.ref = new Int32Array(n);
    this.part = new Int32Array(n);
    this.sizes = new Float64Array(n);
    this.weights = new Float64Array(n).fill(Number.NaN);
    head.forEach((what, i) => {
      this.what[i] = what;
    });
    let at = head.length;
    for (let i = 0; i < this.postData.length; i++, at++) {
      this.what[at] = POST_DATA_TASK;
      this.ref[at] = i;
      this.part[at] = waits[i] as number;
      this.weights[at] = postWeights[i] as number;
    }
    this.dataStart = at;
    for (let i = 0; i < data.what.length; i++, at++) {
      this.what[at] = data.what[i] as number;
      this.ref[at] = data.ref[i] as number;
      this.part[at] = data.part[i] as number;
      this.sizes[at] = data.size[i] as number;
      // A small table's load may go in one transaction with other small tables' (several COPYs, one
      // commit): thousands of tables cost a few commits instead of one each, and their indexes and
      // constraints become ready together, so post-data batches fill up too.
      const info = this.infos[data.ref[i] as number];
      if (
        data.what[i] === LOAD_TASK &&
        info &&
        info.table.streams.length === 1 &&
        info.bytes <= BATCH_TABLE_BYTES
      )
        this.weights[at] = info.bytes;
    }
  }

  get length(): number {
    return this.what.length;
  }

  /** The task at `index`, made anew at each call. */
  at(index: number): RestoreTask | undefined {
    const what = this.what[index];
    const ref = this.ref[index] as number;
    const weight = this.weights[index] as number;
    const batched = !Number.isNaN(weight);
    switch (what) {
      case ALL_DATA_TASK:
        return task(
          {
            id: ALL_DATA,
            deps: this.dataIds(),
            locks: NONE_LOCKED,
            priority: 1,
            size: 0,
            work: { kind: 'all-data' },
          },
          this.run,
        );
      case SEQUENCES_TASK:
        return task(
          {
            id: 'sequence values',
            deps: AFTER_ALL_DATA,
            locks: NONE_LOCKED,
            priority: 1,
            size: 0,
            work: { kind: 'sequences' },
          },
          this.run,
        );
      case POST_DATA_TASK: {
        const o = this.postData[ref] as PgObject;
        return task(
          {
            id: o.id,
            deps: o.deps,
            after: this.waitsFor(o, this.part[index] as number),
            locks: this.locksOf(o),
            priority: 1,
            size: 0,
            work: { kind: 'post-data', object: o },
          },
          this.run,
          batched ? TABLE_LOCAL_POST_DATA : undefined,
          batched ? weight : undefined,
        );
      }
      case LOAD_TASK: {
        // Biggest table first, its parts together (each sized as the whole table): its index builds,
        // the longest post-data work, can start only once all of them are in, and then overlap with
        // loading the smaller tables.
        const info = this.infos[ref] as TableInfo;
        const stream = info.table.streams[this.part[index] as number] as string;
        return task(
          {
            id: stream,
            deps: info.loadDeps,
            locks: NONE_LOCKED,
            priority: 0,
            size: this.sizes[index] as number,
            work: { kind: 'load', table: info.table, stream },
          },
          this.run,
          batched ? SMALL_TABLE_LOADS : undefined,
          batched ? weight : undefined,
        );
      }
      case LOAD_TOGETHER_TASK: {
        const group = this.groups[ref] as RestoreSchedule['groups'][number];
        return task(
          {
            id: group.id,
            deps: group.deps,
            locks: NONE_LOCKED,
            priority: 0,
            size: this.sizes[index] as number,
            work: { kind: 'load-together', tables: group.members.map((m) => m.table) },
          },
          this.run,
        );
      }
      case LARGE_OBJECTS_TASK:
        return task(
          {
            id: this.largeObjects as string,
            deps: NONE,
            locks: NONE_LOCKED,
            priority: 0,
            size: this.sizes[index] as number,
            work: { kind: 'large-objects', stream: this.largeObjects as string },
          },
          this.run,
        );
      default:
        return undefined;
    }
  }

  /** The streams of the loads in the order they start (biggest table first; large objects not among them). */
  loadStreamsInStartOrder(): string[] {
    const loads: number[] = [];
    for (let i = this.dataStart; i < this.length; i++)
      if (this.what[i] === LOAD_TASK || this.what[i] === LOAD_TOGETHER_TASK) loads.push(i);
    loads.sort((a, b) => (this.sizes[b] as number) - (this.sizes[a] as number) || a - b);
    return loads.flatMap((i) =>
      this.what[i] === LOAD_TOGETHER_TASK
        ? (this.groups[this.ref[i] as number] as RestoreSchedule['groups'][number]).members.flatMap(
            (m) => m.table.streams,
          )
        : [this.dataIdAt(i)],
    );
  }

  /** Every task at once (tests, a printed plan). */
  tasks(): RestoreTask[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i) as RestoreTask);
  }

  /** Ids of the data tasks: what {@link ALL_DATA} waits for. */
  private dataIds(): string[] {
    const ids: string[] = [];
    for (let i = this.dataStart; i < this.length; i++) ids.push(this.dataIdAt(i));
    return ids;
  }

  /** The id of the data task at `index`: a load's stream, a group's id, the large objects' stream. */
  private dataIdAt(index: number): string {
    const ref = this.ref[index] as number;
    if (this.what[index] === LOAD_TASK)
      return (this.infos[ref] as TableInfo).table.streams[this.part[index] as number] as string;
    if (this.what[index] === LOAD_TOGETHER_TASK)
      return (this.groups[ref] as RestoreSchedule['groups'][number]).id;
    return this.largeObjects as string;
  }

  /**
   * What a post-data object waits for, besides its own dependencies. Indexes, constraints,
   * triggers, rules and policies of a plain table need only that table's rows (and a foreign key
   * the referenced table's too); anything else (a materialized view refresh reads other tables,
   * an index on a partitioned table covers every partition) waits for all of the data.
   */
  private waitsOf(o: PgObject): number {
    if (!TABLE_LOCAL_KINDS.has(o.kind) || !o.relation) return WAITS_ALL;
    // A CHECK added without ONLY (tables.ts) reaches the table's inheritance children, whose rows may still be loading.
    if (o.kind === 'constraint' && /^ALTER (?:FOREIGN )?TABLE (?!ONLY )/.test(o.sql[0] ?? ''))
      return WAITS_ALL;
    if (this.roots.get(o.relation)) return WAITS_ALL;
    if (!o.references?.length) return WAITS_OWN;
    for (const r of o.references) if (this.roots.get(r)) return WAITS_ALL;
    return WAITS_OWN_AND_REFERENCED;
  }

  /** The list {@link waitsOf} decided on: the one shared list, or the table's and the referenced tables' loads. */
  private waitsFor(o: PgObject, waits: number): readonly string[] {
    if (waits === WAITS_ALL || !o.relation) return AFTER_ALL_DATA;
    const own = this.infoOf.get(o.relation)?.loads ?? NONE;
    if (waits === WAITS_OWN) return own;
    const theirs: (readonly string[])[] = [];
    for (const r of o.references ?? []) {
      const loads = this.infoOf.get(r)?.loads;
      if (loads) theirs.push(loads);
    }
    return own.concat(...theirs);
  }

  /**
   * Whether `o` may share one round trip with other objects: a table-local object (index,
   * constraint, foreign key, …) of small tables, whose statements all run in a transaction
   * block (a batch is one implicit transaction). Big tables' builds stay one per turn, side by
   * side. Its weight: the bytes of the tables it reads; NaN for no batch.
   */
  private batchWeightOf(o: PgObject): number {
    if (!TABLE_LOCAL_KINDS.has(o.kind) || !o.relation) return Number.NaN;
    if (o.sql.some((s) => /\bCONCURRENTLY\b/i.test(s))) return Number.NaN;
    let bytes = this.infoOf.get(o.relation)?.bytes ?? 0;
    for (const r of o.references ?? []) bytes += this.infoOf.get(r)?.bytes ?? 0;
    return bytes <= BATCH_TABLE_BYTES ? bytes : Number.NaN;
  }

  /**
   * Two share holders (index builds) run side by side on a table; anything else runs alone there,
   * which keeps parallel post-data free of lock waits and deadlocks (two foreign keys between the
   * same pair of tables, say). Made anew at each call: the scheduler keeps its locks as numbers.
   */
  private locksOf(o: PgObject): RestoreTask['locks'] {
    const lockKey = (r: RelationRef) => this.infoOf.get(r)?.lockKey ?? `${r.schema}.${r.name}`;
    const locks: { key: string; mode: LockMode }[] = [];
    if (o.relation) locks.push({ key: lockKey(o.relation), mode: o.lock ?? 'exclusive' });
    for (const r of o.references ?? []) locks.push({ key: lockKey(r), mode: 'exclusive' });
    const tree = o.relation && this.roots.get(o.relation);
    if (tree)
      locks.push({ key: tree, mode: o.kind === 'index' && o.lock === 'share' ? 'share' : 'exclusive' });
    return locks.length === 0 ? NONE_LOCKED : locks;
  }
}

/** What a position of a {@link RestoreSchedule} is. */
const ALL_DATA_TASK = 0;
const SEQUENCES_TASK = 1;
const POST_DATA_TASK = 2;
const LOAD_TASK = 3;
const LOAD_TOGETHER_TASK = 4;
const LARGE_OBJECTS_TASK = 5;

/** What a post-data object waits for besides its own dependencies (see RestoreSchedule's `waitsOf`). */
const WAITS_ALL = 0;
const WAITS_OWN = 1;
const WAITS_OWN_AND_REFERENCED = 2;

/** The batch key of table-local post-data of small tables. */
const TABLE_LOCAL_POST_DATA = 'table-local post-data';

/**
 * The restore's schedule ({@link RestoreSchedule}) with every task made at once: for tests and
 * for looking at a plan. A restore runs the schedule itself, which makes each task when asked.
 */
export function planSchedule(
  plan: Pick<RestorePlan, 'tables' | 'sequences' | 'largeObjects' | 'postData' | 'streams'>,
  partitions: PostgresSchema['partitions'],
  groups?: LoadGroup[],
  run: RunTask = notRunnable,
): RestoreTask[] {
  return new RestoreSchedule(plan, partitions, groups, run).tasks();
}

/** The schedule's task that finishes once all of the data is in (the runner has nothing to do for it). */
export const ALL_DATA = 'all data';
/** Work that needs all of the data waits for the one {@link ALL_DATA} task, which waits for every load. */
const AFTER_ALL_DATA: readonly string[] = Object.freeze([ALL_DATA]);

interface TableInfo {
  /** Its place among the schedule's tables. */
  index: number;
  table: PgTableData;
  /** Raw bytes of all of the table's streams. */
  bytes: number;
  /** The scheduler's lock key for the table. */
  lockKey: string;
  /** The tasks that load its rows: one per stream, or its group's one task. */
  loads: readonly string[];
  /** What its loads wait for (a data-only restore's groups: the tables it references). */
  loadDeps: readonly string[];
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
