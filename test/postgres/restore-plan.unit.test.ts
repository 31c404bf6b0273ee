// The PostgreSQL restore plan, built and run without a server: what is restored, and the schedule
// of loads, sequence values and post-data (what waits for what, which locks, in which order).
import { describe, expect, it } from 'vitest';
import type { StreamSummary } from '../../src/engines/engine.js';
import type { PgObject, PostgresSchema } from '../../src/engines/postgres/model.js';
import {
  ALL_DATA,
  BATCH_TABLE_BYTES,
  planRestore,
  planSchedule,
  RestoreSchedule,
  type RestoreTask,
} from '../../src/engines/postgres/restore-plan.js';
import { StowageError, UsageError } from '../../src/errors.js';
import { inStartOrder, runSchedule } from '../../src/scheduler/scheduler.js';
import { table } from './restore-plan-fixtures.js';

const object = (
  id: string,
  kind: PgObject['kind'],
  section: PgObject['section'],
  extra: Partial<PgObject> = {},
): PgObject => ({
  id,
  kind,
  section,
  schema: 'public',
  name: id.slice(id.indexOf(':') + 1),
  sql: [`-- ${id}`],
  deps: [],
  ...extra,
});

const rel = (name: string) => ({ schema: 'public', name });

/**
 * `big` (two parts), `small`, `orders` referencing `small`, a partitioned `events` with one
 * partition, a materialized view, a sequence and an event trigger.
 */
const schema: PostgresSchema = {
  format: 'stowage-postgres',
  version: 2,
  server: { version: '15.0', versionNum: 150000 },
  database: { name: 'src', encoding: 'UTF8' },
  contents: 'full',
  objects: [
    object('schema:public', 'schema', 'pre-data', { schema: null, name: 'public' }),
    object('table:public.big', 'table', 'pre-data', { relation: rel('big') }),
    object('table:public.small', 'table', 'pre-data', { relation: rel('small') }),
    object('table:public.orders', 'table', 'pre-data', { relation: rel('orders') }),
    object('table:public.events', 'table', 'pre-data', { relation: rel('events') }),
    object('table:public.events_2026', 'table', 'pre-data', { relation: rel('events_2026') }),
    object('index:public.big_k', 'index', 'post-data', { relation: rel('big'), lock: 'share' }),
    object('constraint:public.big_pkey', 'constraint', 'post-data', { relation: rel('big') }),
    object('foreign-key:public.orders_small', 'foreign-key', 'post-data', {
      relation: rel('orders'),
      references: [rel('small')],
    }),
    object('index:public.events_v', 'index', 'post-data', { relation: rel('events'), lock: 'share' }),
    object('attach:public.events_2026_v', 'attach', 'post-data', {
      relation: rel('events_2026'),
      deps: ['index:public.events_v'],
    }),
    object('refresh:public.joined', 'refresh', 'post-data', { relation: rel('joined') }),
    object('event-trigger:audit', 'event-trigger', 'post-data', { schema: null, name: 'audit' }),
  ],
  tables: [
    table('small'),
    table('big', ['public.big', 'public.big$1']),
    table('orders'),
    table('events_2026'),
  ],
  sequences: [{ schema: 'public', name: 'big_id_seq', relation: rel('big'), lastValue: '7', isCalled: true }],
  partitions: [{ schema: 'public', name: 'events_2026', ancestors: [rel('events')] }],
};

const sizes: Record<string, number> = {
  'public.small': 10,
  'public.big': 600,
  'public.big$1': 400,
  'public.orders': 300,
  'public.events_2026': 20,
};
const streams: StreamSummary[] = Object.entries(sizes).map(([name, rawBytes]) => ({
  name,
  items: 1,
  rawBytes,
}));

describe('planRestore', () => {
  it('splits the objects into pre-data, post-data and event triggers, and loads every table', () => {
    const warnings: string[] = [];
    const plan = planRestore(schema, {}, streams, warnings);
    expect(plan.dataOnly).toBe(false);
    expect(plan.preData.map((o) => o.id)).toEqual(
      schema.objects.filter((o) => o.section === 'pre-data').map((o) => o.id),
    );
    expect(plan.postData.map((o) => o.kind)).not.toContain('event-trigger');
    expect(plan.eventTriggers.map((o) => o.id)).toEqual(['event-trigger:audit']);
    expect(plan.tables.map((t) => t.name)).toEqual(['small', 'big', 'orders', 'events_2026']);
    expect(plan.sequences).toHaveLength(1);
    expect(plan.ownership).toEqual({ owner: true, acl: true, mapRoles: {} });
    expect(warnings).toEqual([]);
  });

  it('schema-only loads no rows and sets no sequence values; data-only creates nothing but refreshes views', () => {
    const schemaOnly = planRestore(schema, { schemaOnly: true }, streams, []);
    expect(schemaOnly.tables).toEqual([]);
    expect(schemaOnly.sequences).toEqual([]);
    const dataOnly = planRestore(schema, { dataOnly: true }, streams, []);
    expect(dataOnly.preData).toEqual([]);
    expect(dataOnly.eventTriggers).toEqual([]);
    expect(dataOnly.postData.map((o) => o.id)).toEqual(['refresh:public.joined']);
  });

  it('a data-only archive restores as data-only, and says so', () => {
    const warnings: string[] = [];
    const plan = planRestore({ ...schema, contents: 'data-only' }, {}, streams, warnings);
    expect(plan.dataOnly).toBe(true);
    expect(warnings).toEqual(['the archive is a data-only backup: loading it into the existing tables']);
  });

  it('refuses options that contradict each other or the archive', () => {
    expect(() => planRestore(schema, { schemaOnly: true, dataOnly: true }, streams, [])).toThrow(UsageError);
    expect(() => planRestore(schema, { disableTriggers: true }, streams, [])).toThrow(/--disable-triggers/);
    expect(() => planRestore(schema, { globals: true }, streams, [])).toThrow(/no roles or tablespaces/);
    expect(() =>
      planRestore({ ...schema, contents: 'schema-only' }, { dataOnly: true }, streams, []),
    ).toThrow(/no table data/);
  });

  it('refuses an archive that lacks a stream of a table it restores', () => {
    const error = (() => {
      try {
        planRestore(
          schema,
          {},
          streams.filter((s) => s.name !== 'public.big$1'),
          [],
        );
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StowageError);
    expect((error as StowageError).code).toBe('missing-stream');
    expect((error as StowageError).message).toContain('public.big');
  });
});

describe('planSchedule', () => {
  const plan = planRestore(schema, {}, streams, []);
  const tasks = planSchedule(plan, schema.partitions);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const task = (id: string) => byId.get(id) as RestoreTask;
  /** Everything a task waits for: its own dependencies and the list it shares. */
  const waits = (id: string) => [...task(id).deps, ...task(id).after];

  it('loads a table per stream, each part sized as the whole table so the parts stay together, biggest first', () => {
    const loads = inStartOrder(tasks).filter((t) => t.work.kind === 'load');
    expect(loads.map((t) => [t.id, t.size])).toEqual([
      ['public.big', 1000],
      ['public.big$1', 1000],
      ['public.orders', 300],
      ['public.events_2026', 20],
      ['public.small', 10],
    ]);
  });

  it('a table’s indexes and constraints wait for its own rows only; a foreign key for both tables’ rows', () => {
    expect(waits('index:public.big_k')).toEqual(['public.big', 'public.big$1']);
    expect(waits('constraint:public.big_pkey')).toEqual(['public.big', 'public.big$1']);
    expect(waits('foreign-key:public.orders_small')).toEqual(['public.orders', 'public.small']);
  });

  it('index builds share their table; anything else locks it, and a foreign key its referenced table too', () => {
    expect(task('index:public.big_k').locks).toEqual([{ key: 'public.big', mode: 'share' }]);
    expect(task('constraint:public.big_pkey').locks).toEqual([{ key: 'public.big', mode: 'exclusive' }]);
    expect(task('foreign-key:public.orders_small').locks).toEqual([
      { key: 'public.orders', mode: 'exclusive' },
      { key: 'public.small', mode: 'exclusive' },
    ]);
  });

  it('every task carries the runner given, as made (no copy of the task to add it)', async () => {
    const ran: string[] = [];
    const run = async function (this: RestoreTask) {
      ran.push(this.id);
    };
    const runnable = planSchedule(plan, schema.partitions, undefined, run);
    expect(runnable.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
    for (const t of runnable) expect(t.run).toBe(run);
    // Planned without a runner: its tasks refuse to run.
    await expect(task('index:public.big_k').run(undefined as never)).rejects.toThrow('without a runner');
    const index = runnable.find((t) => t.id === 'index:public.big_k') as RestoreTask;
    await index.run(undefined as never);
    expect(ran).toEqual(['index:public.big_k']);
  });

  it('makes each task when asked and keeps none: the same task twice is two objects alike', () => {
    const schedule = new RestoreSchedule(plan, schema.partitions, undefined, async () => {});
    expect(schedule.length).toBe(tasks.length);
    for (let i = 0; i < schedule.length; i++) {
      const first = schedule.at(i);
      expect(schedule.at(i)).not.toBe(first);
      expect(schedule.at(i)).toEqual(first);
    }
    expect(schedule.at(schedule.length)).toBeUndefined();
  });

  it('an empty plan is an empty schedule', () => {
    const empty = new RestoreSchedule(
      { tables: [], sequences: [], postData: [], streams: new Map() },
      [],
      undefined,
      async () => {},
    );
    expect(empty.length).toBe(0);
    expect(empty.loadStreamsInStartOrder()).toEqual([]);
  });

  it('lists the load streams in the order the loads start (biggest table first, list order on ties)', () => {
    const schedule = new RestoreSchedule(plan, schema.partitions, undefined, async () => {});
    const loads = inStartOrder(tasks.filter((t) => t.work.kind === 'load')).map((t) => t.id);
    expect(schedule.loadStreamsInStartOrder()).toEqual(loads);
  });

  it('a post-data task refers to its object’s dependencies and to its table’s loads, shared lists, not copies', () => {
    const pkey = task('constraint:public.big_pkey');
    const archived = plan.postData.find((o) => o.id === pkey.id);
    // Its own dependencies are the archived list itself; the loads it waits for are its table's list,
    // shared with the table's other objects.
    expect(pkey.deps).toBe(archived?.deps);
    expect(pkey.after).toBe(task('index:public.big_k').after);
  });

  it('work on a partition tree waits for all data and takes turns on the tree, index builds sharing it', () => {
    // One task finishes once every load has; work that needs all of the data waits for it alone.
    const allData = tasks.filter((t) => t.priority === 0).map((t) => t.id);
    expect(task(ALL_DATA)).toMatchObject({ deps: allData, locks: [], work: { kind: 'all-data' } });
    expect(waits('index:public.events_v')).toEqual([ALL_DATA]);
    expect(task('index:public.events_v').locks).toContainEqual({ key: 'tree:public.events', mode: 'share' });
    expect(waits('attach:public.events_2026_v')).toEqual(['index:public.events_v', ALL_DATA]);
    expect(task('attach:public.events_2026_v').locks).toContainEqual({
      key: 'tree:public.events',
      mode: 'exclusive',
    });
    // A refresh reads other tables: it waits for all of the data.
    expect(waits('refresh:public.joined')).toEqual([ALL_DATA]);
    expect(waits('sequence values')).toEqual([ALL_DATA]);
  });

  it('grows linearly: thousands of objects waiting for all of the data do not each name every load', () => {
    const n = 2000;
    const many: PostgresSchema = {
      ...schema,
      objects: Array.from({ length: n }, (_, i) =>
        object(`refresh:public.mv${i}`, 'refresh', 'post-data', {
          sql: [`REFRESH MATERIALIZED VIEW public.mv${i}`],
        }),
      ),
      tables: Array.from({ length: n }, (_, i) => table(`t${i}`)),
      sequences: [],
      partitions: [],
    };
    const manyStreams = many.tables.map((t) => ({ name: t.streams[0] as string, items: 1, rawBytes: 10 }));
    const planned = planSchedule(planRestore(many, {}, manyStreams, []), many.partitions);
    const edges = planned.reduce((sum, t) => sum + t.deps.length + t.after.length, 0);
    // n loads + n refreshes: one barrier with n dependencies and one dependency per refresh, not n².
    expect(edges).toBe(2 * n);
    expect(planned).toHaveLength(2 * n + 1);
  });

  it('small tables’ indexes and constraints may share a round trip; big tables’, concurrent builds and other kinds may not', () => {
    expect(task('index:public.big_k')).toMatchObject({ batch: 'table-local post-data', batchWeight: 1000 });
    expect(task('foreign-key:public.orders_small')).toMatchObject({
      batch: 'table-local post-data',
      batchWeight: 310,
    });
    expect(task('refresh:public.joined').batch).toBeUndefined();
    expect(task('attach:public.events_2026_v').batch).toBeUndefined();
    const heavy = planSchedule(
      planRestore(
        schema,
        {},
        streams.map((s) => (s.name === 'public.big' ? { ...s, rawBytes: BATCH_TABLE_BYTES } : s)),
        [],
      ),
      schema.partitions,
    );
    expect(heavy.find((t) => t.id === 'index:public.big_k')?.batch).toBeUndefined();
    expect(heavy.find((t) => t.id === 'foreign-key:public.orders_small')?.batch).toBeDefined();
    const concurrently = planSchedule(
      {
        ...plan,
        postData: [
          object('index:public.small_k', 'index', 'post-data', {
            relation: rel('small'),
            sql: ['CREATE INDEX CONCURRENTLY small_k ON public.small (id)'],
          }),
        ],
      },
      schema.partitions,
    );
    expect(concurrently.find((t) => t.id === 'index:public.small_k')?.batch).toBeUndefined();
  });

  it('data-only load groups: a foreign-key cycle loads as one task after the groups it references', () => {
    const dataOnly = planRestore(schema, { dataOnly: true }, streams, []);
    const grouped = planSchedule(dataOnly, schema.partitions, [
      { id: 'public.small', tables: ['public.small'], deps: [] },
      { id: 'public.big', tables: ['public.big', 'public.orders'], deps: ['public.small'] },
      { id: 'public.events_2026', tables: ['public.events_2026'], deps: ['public.big'] },
    ]);
    const cycle = grouped.find((t) => t.id === 'public.big') as RestoreTask;
    expect(cycle.work).toMatchObject({ kind: 'load-together' });
    expect(cycle.deps).toEqual(['public.small']);
    expect(cycle.size).toBe(1300);
    expect(grouped.find((t) => t.id === 'public.events_2026')?.deps).toEqual(['public.big']);
  });

  it('run with one worker: post-data of the biggest table right after its rows, before the next table loads', async () => {
    const order: string[] = [];
    await runSchedule(
      tasks.map((t) => ({
        ...t,
        run: async () => {
          order.push(t.id);
        },
      })),
      ['session'],
    );
    expect(order.slice(0, 4)).toEqual([
      'public.big',
      'public.big$1',
      'index:public.big_k',
      'constraint:public.big_pkey',
    ]);
    // orders (300) loads before events_2026 (20) and small (10); the foreign key needs small too.
    expect(order.slice(4, 7)).toEqual(['public.orders', 'public.events_2026', 'public.small']);
    expect(order.indexOf('foreign-key:public.orders_small')).toBeGreaterThan(order.indexOf('public.small'));
    for (const late of ['sequence values', 'refresh:public.joined', 'index:public.events_v'])
      expect(order.indexOf(late)).toBeGreaterThan(order.indexOf('public.small'));
    expect(order.indexOf('attach:public.events_2026_v')).toBeGreaterThan(
      order.indexOf('index:public.events_v'),
    );
    expect(order).toHaveLength(tasks.length);
  });
});
