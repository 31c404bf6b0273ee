import { describe, expect, it } from 'vitest';
import { runSchedule, ScheduleCycleError, type ScheduledTask } from '../../src/scheduler/scheduler.js';
import { WiredTasks } from '../../src/scheduler/wired-tasks.js';

const task = (id: string, extra: Partial<ScheduledTask<number>> = {}): ScheduledTask<number> => ({
  id,
  ...extra,
  run: async () => {},
});

/** The dependents of task `i` as ids. */
const dependentsOf = (wired: WiredTasks, tasks: ScheduledTask<number>[], i: number) =>
  Array.from(
    wired.dependents.subarray(wired.dependentsStart[i], wired.dependentsStart[i + 1]),
    (d) => tasks[d]!.id,
  );

describe('WiredTasks', () => {
  it('ranks by priority, then size, then list order on ties', () => {
    const tasks = [
      task('small'),
      task('big', { size: 9 }),
      task('urgent', { priority: 1 }),
      task('small too'),
      task('big too', { size: 9 }),
    ];
    const wired = new WiredTasks(tasks, false);
    expect(Array.from(wired.byRank, (i) => tasks[i]!.id)).toEqual([
      'urgent',
      'big',
      'big too',
      'small',
      'small too',
    ]);
    expect(Array.from(wired.rank)).toEqual([3, 1, 0, 4, 2]);
  });

  it('keeps each dependency once as an edge list, and ignores ids that are no task and a task naming itself', () => {
    const tasks = [
      task('a'),
      task('b', { deps: ['a', 'a', 'elsewhere'], after: ['a', 'b'] }),
      task('c', { deps: ['a'], after: ['b'] }),
    ];
    const wired = new WiredTasks(tasks, false);
    expect(Array.from(wired.unmet)).toEqual([0, 1, 2]);
    expect(dependentsOf(wired, tasks, 0)).toEqual(['b', 'c']);
    expect(dependentsOf(wired, tasks, 1)).toEqual(['c']);
    expect(dependentsOf(wired, tasks, 2)).toEqual([]);
  });

  it('numbers lock, limit and batch keys, one number per key', () => {
    const tasks = [
      task('a', { locks: [{ key: 't', mode: 'share' }], batch: 'ddl', batchWeight: 5, limits: ['x'] }),
      task('b', {
        locks: [
          { key: 'u', mode: 'exclusive' },
          { key: 't', mode: 'exclusive' },
        ],
        limits: ['x'],
      }),
      task('c', { batch: 'ddl' }),
    ];
    const wired = new WiredTasks(tasks, true);
    expect(wired.lockKeys).toEqual(['t', 'u']);
    expect(Array.from(wired.lockKeyOf)).toEqual([0, 1, 0]);
    expect(Array.from(wired.lockExclusive)).toEqual([0, 1, 1]);
    expect(Array.from(wired.locksStart)).toEqual([0, 1, 3, 3]);
    expect(wired.limitKeys).toEqual(['x']);
    expect(Array.from(wired.limitsStart)).toEqual([0, 1, 2, 2]);
    expect(wired.batchKeys).toEqual(['', 'ddl']);
    expect(Array.from(wired.batchOf)).toEqual([1, 0, 1]);
    expect(Array.from(wired.batchWeight)).toEqual([5, 0, 0]);
    // Without a runBatch every task is of no batch key.
    expect(Array.from(new WiredTasks(tasks, false).batchOf)).toEqual([0, 0, 0]);
  });

  it('wires an empty list, and refuses two tasks with one id', () => {
    expect(new WiredTasks([], false).length).toBe(0);
    expect(() => new WiredTasks([task('x'), task('x')], false)).toThrow('two tasks have the id "x"');
  });
});

describe('runSchedule over a list that makes its tasks when asked', () => {
  /** A list of `tasks`' shapes that makes a new task at each call, counting the calls. */
  const madeOnDemand = (shapes: { id: string; deps?: string[] }[], done: string[]) => {
    const calls: number[] = [];
    return {
      calls,
      list: {
        length: shapes.length,
        at: (i: number): ScheduledTask<number> | undefined => {
          const shape = shapes[i];
          if (!shape) return undefined;
          calls.push(i);
          return {
            ...shape,
            run: async () => {
              done.push(shape.id);
            },
          };
        },
      },
    };
  };

  it('reads each task once to wire it and once more to start it', async () => {
    const done: string[] = [];
    const { list, calls } = madeOnDemand([{ id: 'b', deps: ['a'] }, { id: 'a' }], done);
    await runSchedule(list, [0]);
    expect(done).toEqual(['a', 'b']);
    expect(calls.sort()).toEqual([0, 0, 1, 1]);
  });

  it('refuses a cycle as before, naming the tasks that wait', async () => {
    const done: string[] = [];
    const { list } = madeOnDemand([{ id: 'free' }, { id: 'x', deps: ['y'] }, { id: 'y', deps: ['x'] }], done);
    const error = await runSchedule(list, [0, 1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleCycleError);
    expect((error as ScheduleCycleError).waiting).toEqual(['x', 'y']);
    expect(done).toEqual(['free']);
  });
});
