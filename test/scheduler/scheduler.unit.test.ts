import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  mapLimited,
  runSchedule,
  ScheduleCycleError,
  type ScheduledTask,
  type TaskList,
  WiredSchedule,
} from '../../src/scheduler/scheduler.js';

/** A task that can be finished (or failed) by the test, recording when it started and on which worker. */
class Gate {
  readonly log: string[] = [];
  private readonly open = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
  private waiters: (() => void)[] = [];

  task(id: string, extra: Partial<ScheduledTask<string>> = {}): ScheduledTask<string> {
    return {
      id,
      ...extra,
      run: (worker, signal) =>
        new Promise<void>((resolve, reject) => {
          this.log.push(`start ${id}@${worker}`);
          this.open.set(id, { resolve, reject });
          signal.addEventListener('abort', () => this.log.push(`abort seen by ${id}`), { once: true });
          for (const w of this.waiters.splice(0)) w();
        }),
    };
  }

  running(): string[] {
    return [...this.open.keys()];
  }

  /** Resolves once `ids` are all running (tasks start asynchronously). */
  async until(...ids: string[]): Promise<void> {
    while (!ids.every((id) => this.open.has(id))) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Lets every pending microtask (task completions, next starts) run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise<void>((r) => setImmediate(r));
  }

  finish(id: string): void {
    const t = this.open.get(id);
    if (!t) throw new Error(`${id} is not running`);
    this.open.delete(id);
    this.log.push(`done ${id}`);
    t.resolve();
  }

  failWith(id: string, error: unknown): void {
    const t = this.open.get(id);
    if (!t) throw new Error(`${id} is not running`);
    this.open.delete(id);
    this.log.push(`fail ${id}`);
    t.reject(error);
  }
}

/** A task of batch key `ddl` (an index build) that waits for `dep` and records `[worker, id]` when run alone. */
function ddlAfter(dep: string, id: string, turns: string[][]): ScheduledTask<string> {
  return {
    id,
    batch: 'ddl',
    priority: 1,
    deps: [dep],
    run: async (worker) => {
      turns.push([worker, id]);
    },
  };
}

/** A runBatch that records `[worker, ...ids]` for each batch. */
function recordBatch(turns: string[][]) {
  return async (tasks: { id: string }[], worker: string) => {
    turns.push([worker, ...tasks.map((t) => t.id)]);
  };
}

describe('runSchedule', () => {
  it('starts the biggest ready task first, higher priority before any size, list order on ties', async () => {
    const order: string[] = [];
    const task = (id: string, extra: Partial<ScheduledTask<number>> = {}): ScheduledTask<number> => ({
      id,
      ...extra,
      run: async () => {
        order.push(id);
      },
    });
    await runSchedule(
      [
        task('small', { size: 1 }),
        task('big', { size: 100 }),
        task('tie-a', { size: 5 }),
        task('tie-b', { size: 5 }),
        task('urgent', { priority: 1 }),
        task('unsized'),
      ],
      [0],
    );
    expect(order).toEqual(['urgent', 'big', 'tie-a', 'tie-b', 'small', 'unsized']);
  });

  it('runs a task only after its dependencies, and ignores dependencies that are not tasks', async () => {
    const order: string[] = [];
    const task = (id: string, deps: string[], size = 0): ScheduledTask<number> => ({
      id,
      deps,
      size,
      run: async () => {
        order.push(id);
      },
    });
    // "after" is the biggest but must wait for both of the others.
    await runSchedule(
      [task('after', ['a', 'b', 'not-a-task'], 100), task('a', []), task('b', ['a'])],
      [0, 1],
    );
    expect(order).toEqual(['a', 'b', 'after']);
  });

  it('counts a dependency named more than once (or a task naming itself) once', async () => {
    const order: string[] = [];
    const task = (id: string, deps: string[]): ScheduledTask<number> => ({
      id,
      deps,
      run: async () => {
        order.push(id);
      },
    });
    await runSchedule(
      [task('c', ['a', 'b', 'a', 'c', 'b', 'a']), task('b', ['a', 'a']), task('a', [])],
      [0, 1],
    );
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('waits for the ids of `after` as for those of `deps`, one named in both once', async () => {
    const order: string[] = [];
    const task = (id: string, deps: string[], after: string[], size = 0): ScheduledTask<number> => ({
      id,
      deps,
      after,
      size,
      run: async () => {
        order.push(id);
      },
    });
    // "last" is the biggest, but it waits for "b" through `after` (and "a" named in both lists).
    await runSchedule(
      [task('last', ['a'], ['a', 'b'], 100), task('a', [], []), task('b', [], ['a'], 50)],
      [0, 1],
    );
    expect(order).toEqual(['a', 'b', 'last']);
  });

  it('a ready task waits for the next free worker, never two at once on one worker', async () => {
    const gate = new Gate();
    const run = runSchedule(
      [gate.task('a', { size: 3 }), gate.task('b', { size: 2 }), gate.task('c', { size: 1 })],
      ['w1', 'w2'],
    );
    await gate.until('a', 'b');
    await gate.settle();
    expect(gate.running().sort()).toEqual(['a', 'b']);
    gate.finish('b');
    await gate.until('c');
    expect(gate.log).toContain('start c@w2');
    gate.finish('a');
    gate.finish('c');
    await run;
  });

  it('share locks run together, an exclusive lock runs alone on its key', async () => {
    const gate = new Gate();
    const run = runSchedule(
      [
        gate.task('index-1', { locks: [{ key: 't', mode: 'share' }] }),
        gate.task('index-2', { locks: [{ key: 't', mode: 'share' }] }),
        gate.task('fk', { locks: [{ key: 't', mode: 'exclusive' }] }),
        gate.task('elsewhere', { locks: [{ key: 'u', mode: 'exclusive' }] }),
      ],
      ['w1', 'w2', 'w3'],
    );
    await gate.until('index-1', 'index-2', 'elsewhere');
    await gate.settle();
    expect(gate.running()).not.toContain('fk');
    gate.finish('index-1');
    await gate.settle();
    expect(gate.running()).not.toContain('fk');
    gate.finish('index-2');
    await gate.until('fk');
    gate.finish('fk');
    gate.finish('elsewhere');
    await run;
  });

  it('holds each per-key limit while a free worker takes another key’s task', async () => {
    const gate = new Gate();
    const run = runSchedule(
      [
        gate.task('db1-a', { limits: ['db1'], size: 9 }),
        gate.task('db1-b', { limits: ['db1'], size: 8 }),
        gate.task('db2-a', { limits: ['db2'], size: 1 }),
      ],
      ['w1', 'w2', 'w3'],
      { limitOf: (key) => (key === 'db1' ? 1 : undefined) },
    );
    // db1-b is bigger than db2-a but db1 is full: db2-a takes the free worker.
    await gate.until('db1-a', 'db2-a');
    await gate.settle();
    expect(gate.running().sort()).toEqual(['db1-a', 'db2-a']);
    gate.finish('db1-a');
    await gate.until('db1-b');
    gate.finish('db1-b');
    gate.finish('db2-a');
    await run;
  });

  it('hands ready tasks of one batch key to one worker together, in start order, within the limits', async () => {
    const batches: string[][] = [];
    const singles: string[] = [];
    const task = (id: string, extra: Partial<ScheduledTask<string>> = {}): ScheduledTask<string> => ({
      id,
      ...extra,
      run: async () => {
        singles.push(id);
      },
    });
    await runSchedule(
      [
        task('load', { size: 5 }),
        task('ix-a', { batch: 'ddl', priority: 1, deps: ['load'], batchWeight: 1 }),
        task('ix-b', { batch: 'ddl', priority: 1, deps: ['load'], batchWeight: 1 }),
        task('ix-c', { batch: 'ddl', priority: 1, deps: ['load'], batchWeight: 1 }),
        task('ix-d', { batch: 'ddl', priority: 1, deps: ['load'], batchWeight: 5 }),
        task('other', { batch: 'other', priority: 1, deps: ['load'] }),
      ],
      ['w1'],
      {
        runBatch: async (tasks, worker) => {
          batches.push([worker, ...tasks.map((t) => t.id)]);
        },
        batchLimit: { tasks: 3, weight: 3 },
      },
    );
    // Three at most, weight 3 at most: ix-d waits for the next turn; another key never joins.
    expect(batches).toEqual([['w1', 'ix-a', 'ix-b', 'ix-c']]);
    expect(singles).toEqual(['load', 'ix-d', 'other']);
  });

  it('shares the ready tasks of a batch key among the idle workers instead of giving them all to one', async () => {
    const batches: string[][] = [];
    const task = (id: string, batchWeight: number): ScheduledTask<string> => ({
      id,
      batch: 'loads',
      batchWeight,
      size: batchWeight,
      run: async () => {
        throw new Error(`${id} ran alone`);
      },
    });
    await runSchedule(
      [task('a', 6), task('b', 4), task('c', 3), task('d', 2), task('e', 1), task('f', 1)],
      ['w1', 'w2'],
      {
        runBatch: async (tasks, worker) => {
          batches.push([worker, ...tasks.map((t) => t.id)]);
        },
        // Room for all six in one batch: the share, not the limit, splits them.
        batchLimit: { tasks: 64, weight: 100 },
      },
    );
    // Weight 17 over two idle workers: at most 9 for the first (a, c), the rest for the second.
    expect(batches).toEqual([
      ['w1', 'a', 'c'],
      ['w2', 'b', 'd', 'e', 'f'],
    ]);
  });

  it('splits weightless batch tasks among idle workers by count', async () => {
    const batches: string[][] = [];
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await runSchedule(
      ids.map((id) => ({ id, batch: 'ddl', run: async () => {} })),
      ['w1', 'w2'],
      {
        runBatch: async (tasks, worker) => {
          batches.push([worker, ...tasks.map((t) => t.id)]);
        },
      },
    );
    expect(batches).toEqual([
      ['w1', 'a', 'b', 'c'],
      ['w2', 'd', 'e'],
    ]);
  });

  it('a worker that comes free while another still works takes its share of the ready batch, not all of it', async () => {
    const gate = new Gate();
    const turns: string[][] = [];
    const build = (id: string) => ddlAfter('load-t', id, turns);
    const run = runSchedule(
      [
        gate.task('load-big', { size: 9 }),
        gate.task('load-t', { size: 1 }),
        build('ix-a'),
        build('ix-b'),
        build('ix-c'),
        build('ix-d'),
      ],
      ['w1', 'w2'],
      { runBatch: recordBatch(turns) },
    );
    await gate.until('load-big', 'load-t');
    // w2 comes free with four builds ready while w1 still loads: it takes half of them, then half
    // of the rest (before, it took all four in its first turn and left w1 nothing).
    gate.finish('load-t');
    await gate.settle();
    expect(turns[0]).toEqual(['w2', 'ix-a', 'ix-b']);
    gate.finish('load-big');
    await run;
    expect(turns.flatMap(([, ...ids]) => ids).sort()).toEqual(['ix-a', 'ix-b', 'ix-c', 'ix-d']);
  });

  it('a worker handed other work in the same turn still gets its share of a batch key', async () => {
    const turns: string[][] = [];
    const build = (id: string) => ddlAfter('pk', id, turns);
    await runSchedule(
      [
        { id: 'pk', run: async () => {} },
        // Ready with the builds and ahead of them: the first worker takes it, alone.
        { id: 'view', priority: 2, deps: ['pk'], run: async (worker) => void turns.push([worker, 'view']) },
        build('ix-a'),
        build('ix-b'),
        build('ix-c'),
        build('ix-d'),
      ],
      ['w1', 'w2'],
      { runBatch: recordBatch(turns) },
    );
    // The worker given the view comes back at once: the other takes half of the builds, not all
    // four (a small restore's longest post-data turn, while its partner sat idle).
    const firstBuilds = turns.find((t) => t[1]?.startsWith('ix-'));
    expect(firstBuilds?.slice(1)).toEqual(['ix-a', 'ix-b']);
    expect(turns.flatMap(([, ...ids]) => ids).sort()).toEqual(['ix-a', 'ix-b', 'ix-c', 'ix-d', 'view']);
  });

  it('batch-mates may conflict with each other but not with a task running on another worker', async () => {
    const gate = new Gate();
    const batches: string[][] = [];
    const run = runSchedule(
      [
        gate.task('fk-t', { locks: [{ key: 't', mode: 'exclusive' }], size: 9 }),
        gate.task('pk-u', { batch: 'ddl', locks: [{ key: 'u', mode: 'exclusive' }] }),
        gate.task('ix-u', { batch: 'ddl', locks: [{ key: 'u', mode: 'share' }] }),
        gate.task('ix-t', { batch: 'ddl', locks: [{ key: 't', mode: 'share' }] }),
      ],
      ['w1', 'w2'],
      {
        runBatch: async (tasks) => {
          batches.push(tasks.map((t) => t.id));
        },
      },
    );
    await gate.until('fk-t');
    await gate.settle();
    // pk-u and ix-u went together (their own conflict does not matter); ix-t waits for fk-t.
    expect(batches).toEqual([['pk-u', 'ix-u']]);
    expect(gate.running()).toEqual(['fk-t']);
    gate.finish('fk-t');
    await gate.until('ix-t');
    gate.finish('ix-t');
    await run;
  });

  it('a failed batch fails the run, and its tasks’ dependents never start', async () => {
    const started: string[] = [];
    const failure = new Error('batch failed');
    const task = (id: string, extra: Partial<ScheduledTask<string>> = {}): ScheduledTask<string> => ({
      id,
      ...extra,
      run: async () => {
        started.push(id);
      },
    });
    await expect(
      runSchedule(
        [task('a', { batch: 'ddl' }), task('b', { batch: 'ddl' }), task('after', { deps: ['b'] })],
        ['w1'],
        {
          runBatch: async () => {
            throw failure;
          },
        },
      ),
    ).rejects.toBe(failure);
    expect(started).toEqual([]);
  });

  it('on a failure starts nothing new, aborts the running tasks’ signal, waits for them, throws the first error', async () => {
    const gate = new Gate();
    const failures: unknown[] = [];
    const first = new Error('first');
    let outcome: unknown = 'pending';
    const run = runSchedule(
      [gate.task('a', { size: 3 }), gate.task('b', { size: 2 }), gate.task('never', { size: 1 })],
      ['w1', 'w2'],
      { onFailure: (e) => failures.push(e) },
    ).then(
      () => {
        outcome = 'resolved';
      },
      (e: unknown) => {
        outcome = e;
      },
    );
    await gate.until('a', 'b');
    gate.failWith('a', first);
    await gate.settle();
    expect(failures).toEqual([first]);
    expect(gate.log).toContain('abort seen by b');
    // b is still running: the run has not settled, and the free worker took nothing.
    expect(outcome).toBe('pending');
    expect(gate.log.some((l) => l.startsWith('start never'))).toBe(false);
    gate.failWith('b', new Error('second, caused by the cancellation'));
    await run;
    expect(outcome).toBe(first);
    expect(failures).toEqual([first]);
    expect(gate.log.some((l) => l.startsWith('start never'))).toBe(false);
  });

  it('a task that throws before its first await fails the run like any other', async () => {
    const boom = new Error('sync');
    await expect(
      runSchedule(
        [
          {
            id: 'x',
            run: () => {
              throw boom;
            },
          },
        ],
        [0],
      ),
    ).rejects.toBe(boom);
  });

  it('the caller’s signal cancels: running tasks see it, nothing new starts, its reason is thrown after they settle', async () => {
    const gate = new Gate();
    const controller = new AbortController();
    const run = runSchedule([gate.task('a', { size: 2 }), gate.task('later', { size: 1 })], ['w1'], {
      signal: controller.signal,
    });
    await gate.until('a');
    const reason = new Error('cancelled');
    controller.abort(reason);
    await gate.settle();
    expect(gate.log).toContain('abort seen by a');
    gate.finish('a');
    await expect(run).rejects.toBe(reason);
    expect(gate.log.some((l) => l.startsWith('start later'))).toBe(false);
  });

  it('refuses an already cancelled run without starting anything', async () => {
    const controller = new AbortController();
    controller.abort(new Error('before'));
    let started = false;
    await expect(
      runSchedule(
        [
          {
            id: 'a',
            run: async () => {
              started = true;
            },
          },
        ],
        [0],
        { signal: controller.signal },
      ),
    ).rejects.toThrow('before');
    expect(started).toBe(false);
  });

  it('reports a dependency cycle instead of hanging', async () => {
    const done: string[] = [];
    const task = (id: string, deps: string[]): ScheduledTask<number> => ({
      id,
      deps,
      run: async () => {
        done.push(id);
      },
    });
    const error = await runSchedule([task('free', []), task('x', ['y']), task('y', ['x'])], [0, 1]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScheduleCycleError);
    expect((error as ScheduleCycleError).waiting.sort()).toEqual(['x', 'y']);
    expect(done).toEqual(['free']);
  });

  it('lets go of a finished task while the run goes on (the caller keeping none)', async () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
    let first: WeakRef<object> | undefined;
    let firstCollected: boolean | undefined;
    const start = () => {
      const a: ScheduledTask<number> = { id: 'a', run: async () => {} };
      first = new WeakRef(a);
      const b: ScheduledTask<number> = {
        id: 'b',
        deps: ['a'],
        run: async () => {
          // A later task than the one that made the WeakRef, which keeps its target to its end.
          await new Promise((resolve) => setImmediate(resolve));
          collect();
          firstCollected = first?.deref() === undefined;
        },
      };
      return runSchedule([a, b], [0]);
    };
    await start();
    expect(firstCollected).toBe(true);
  });

  it('runs a schedule wired ahead as wired, asking its list again only for each task as it starts', async () => {
    const order: string[] = [];
    const asked: number[] = [];
    const ids = ['load', 'index', 'key'];
    const list: TaskList<number> = {
      length: ids.length,
      at: (i) => {
        asked.push(i);
        const id = ids[i] as string;
        return {
          id,
          deps: id === 'load' ? [] : ['load'],
          priority: id === 'key' ? 1 : 0,
          run: async () => {
            order.push(id);
          },
        };
      },
    };
    const wired = new WiredSchedule(list, false);
    // Wiring read each task once, and nothing runs yet.
    expect(asked).toEqual([0, 1, 2]);
    expect(order).toEqual([]);
    await runSchedule(wired, [0]);
    expect(order).toEqual(['load', 'key', 'index']);
    expect(asked.slice(3).sort()).toEqual([0, 1, 2]);
  });

  it('refuses a schedule wired for batches in a run without runBatch, and the other way round', async () => {
    const tasks: ScheduledTask<number>[] = [{ id: 'a', batch: 'k', run: async () => {} }];
    await expect(runSchedule(new WiredSchedule(tasks, true), [0])).rejects.toThrow('different runBatch');
    await expect(
      runSchedule(new WiredSchedule(tasks, false), [0], { runBatch: async () => {} }),
    ).rejects.toThrow('different runBatch');
    await runSchedule(new WiredSchedule(tasks, true), [0], { runBatch: async () => {} });
  });

  it('refuses two tasks with one id', async () => {
    const task: ScheduledTask<number> = { id: 'same', run: async () => {} };
    await expect(runSchedule([task, task], [0])).rejects.toThrow('two tasks have the id "same"');
  });
});

describe('mapLimited', () => {
  it('keeps the order of the items and never has more than `limit` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimited([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      for (let i = 0; i < n; i++) await Promise.resolve();
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('throws the first failure after the calls in flight settled', async () => {
    let settled = 0;
    const error = await mapLimited([0, 1, 2, 3], 2, async (n) => {
      await Promise.resolve();
      if (n === 0) throw new Error(`item ${n}`);
      await new Promise<void>((r) => setImmediate(r));
      settled++;
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('item 0');
    // Item 1 was in flight and finished; items 2 and 3 never started.
    expect(settled).toBe(1);
  });
});
