/**
 * A schedule's tasks wired for running, as numbers in typed arrays: each task is its position in
 * the caller's list, its dependents an edge list (CSR: `dependentsStart[i]` to
 * `dependentsStart[i + 1]` in `dependents`), its locks and limits likewise, keys as numbers. No
 * object per task, per edge or per lock is held while the run goes on: at 20,000 tables a
 * restore's 80,000 tasks were ~25 MB of entries, dependents lists, tasks and lock lists, where
 * these arrays are ~3 MB (docs/BENCHMARKS.md, session 17).
 */

import type { LockMode, ScheduledTask } from './scheduler.js';
import { TaskIds } from './task-ids.js';

/** What the scheduler reads tasks from: an array, or a list that makes each task when asked. */
export interface TaskList<W> {
  readonly length: number;
  /** The task at `index`; a list may make it anew at each call (the scheduler keeps none it is not running). */
  at(index: number): ScheduledTask<W> | undefined;
}

/** Thrown when a list has no task at an index below its length. */
const noTask = (index: number) => new Error(`the schedule's list has no task at ${index}`);

/** The task at `index` of `list`, which must have one. */
export function taskAt<W>(list: TaskList<W>, index: number): ScheduledTask<W> {
  const task = list.at(index);
  if (!task) throw noTask(index);
  return task;
}

export class WiredTasks {
  /** Place of each task in start order: priority, then size, then list order (lower starts first). */
  readonly rank: Int32Array;
  /** Tasks in start order (the inverse of {@link rank}). */
  readonly byRank: Int32Array;
  /** Dependencies of each task not finished yet. */
  readonly unmet: Int32Array;
  readonly dependentsStart: Int32Array;
  readonly dependents: Int32Array;
  /** Batch key of each task: an index into {@link batchKeys}, 0 for none. */
  readonly batchOf: Int32Array;
  readonly batchKeys: string[] = [''];
  readonly batchWeight: Float64Array;
  readonly locksStart: Int32Array;
  /** Lock keys (indexes into {@link lockKeys}) of each task's locks, and whether each is exclusive. */
  readonly lockKeyOf: Int32Array;
  readonly lockExclusive: Uint8Array;
  readonly lockKeys: string[] = [];
  readonly limitsStart: Int32Array;
  readonly limitKeyOf: Int32Array;
  readonly limitKeys: string[] = [];

  /**
   * Reads every task of `list` once. `batched`: batch keys count (a run with a `runBatch`);
   * otherwise every task is of key 0. Throws on two tasks with one id.
   */
  constructor(list: TaskList<unknown>, batched: boolean) {
    const n = list.length;
    // Asked again only for two ids with equal hashes (task-ids.ts).
    const ids = new TaskIds(n, (i) => taskAt(list, i).id);
    const priority = new Float64Array(n);
    const size = new Float64Array(n);
    // Held only while wiring: the lists are the tasks' own (shared among tasks, mostly), not copies.
    const deps: (readonly string[] | undefined)[] = new Array(n);
    const after: (readonly string[] | undefined)[] = new Array(n);
    this.batchOf = new Int32Array(n);
    this.batchWeight = new Float64Array(n);
    this.locksStart = new Int32Array(n + 1);
    this.limitsStart = new Int32Array(n + 1);
    const lockKeyOf = new GrowingInts();
    const lockExclusive = new GrowingInts();
    const limitKeyOf = new GrowingInts();
    const lockIds = new Map<string, number>();
    const limitIds = new Map<string, number>();
    const batchIds = new Map<string, number>([['', 0]]);
    for (let i = 0; i < n; i++) {
      const task = taskAt(list, i);
      ids.add(task.id, i);
      priority[i] = task.priority ?? 0;
      size[i] = task.size ?? 0;
      deps[i] = task.deps;
      after[i] = task.after;
      this.batchOf[i] = batched ? idOf(batchIds, this.batchKeys, task.batch ?? '') : 0;
      this.batchWeight[i] = task.batchWeight ?? 0;
      for (const lock of task.locks ?? []) {
        lockKeyOf.push(idOf(lockIds, this.lockKeys, lock.key));
        lockExclusive.push(lock.mode === ('exclusive' satisfies LockMode) ? 1 : 0);
      }
      this.locksStart[i + 1] = lockKeyOf.length;
      for (const key of task.limits ?? []) limitKeyOf.push(idOf(limitIds, this.limitKeys, key));
      this.limitsStart[i + 1] = limitKeyOf.length;
    }
    this.lockKeyOf = lockKeyOf.done();
    this.lockExclusive = Uint8Array.from(lockExclusive.done());
    this.limitKeyOf = limitKeyOf.done();

    this.byRank = inStartOrderOf(priority, size);
    this.rank = new Int32Array(n);
    for (let r = 0; r < n; r++) this.rank[this.byRank[r] as number] = r;

    // Each dependency's dependents, grouped by dependency: counted in a first pass over the tasks'
    // lists, placed in a second (no list of edges grown as they came: its doublings and copies
    // were ~3 MB of malloc'd garbage at 100,000 edges, left under a restore's data phase).
    this.unmet = new Int32Array(n);
    const dependentsStart = new Int32Array(n + 1);
    /** The last dependent wired to each task in a pass: a dependency named twice counts once. */
    const lastDependent = new Int32Array(n);
    const eachDependency = (wire: (before: number, i: number) => void) => {
      lastDependent.fill(-1);
      for (let i = 0; i < n; i++) {
        for (const list of [deps[i], after[i]]) {
          for (const dep of list ?? []) {
            const before = ids.indexOf(dep);
            if (before < 0 || before === i || lastDependent[before] === i) continue;
            lastDependent[before] = i;
            wire(before, i);
          }
        }
      }
    };
    eachDependency((before, i) => {
      dependentsStart[before + 1] = (dependentsStart[before + 1] as number) + 1;
      this.unmet[i] = (this.unmet[i] as number) + 1;
    });
    for (let i = 0; i < n; i++)
      dependentsStart[i + 1] = (dependentsStart[i] as number) + (dependentsStart[i + 1] as number);
    const dependents = new Int32Array(dependentsStart[n] as number);
    /** Where each dependency's next dependent goes. */
    const fill = dependentsStart.slice(0, n);
    eachDependency((before, i) => {
      const at = fill[before] as number;
      dependents[at] = i;
      fill[before] = at + 1;
    });
    this.dependentsStart = dependentsStart;
    this.dependents = dependents;
  }

  get length(): number {
    return this.rank.length;
  }
}

/**
 * Task indexes in start order: highest priority first, then biggest size, then list order.
 */
function inStartOrderOf(priority: Float64Array, size: Float64Array): Int32Array {
  const order = new Int32Array(priority.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort(
    (a, b) =>
      (priority[b] as number) - (priority[a] as number) || (size[b] as number) - (size[a] as number) || a - b,
  );
}

/** The number of `key` among `keys`, added if new. */
function idOf(ids: Map<string, number>, keys: string[], key: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = keys.length;
    keys.push(key);
    ids.set(key, id);
  }
  return id;
}

/** An Int32Array grown by doubling, handed over sized to what it holds. */
class GrowingInts {
  private items = new Int32Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = value;
  }

  done(): Int32Array {
    return this.items.slice(0, this.length);
  }
}
