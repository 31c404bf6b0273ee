// The MongoDB restore plan, built and run without a server: which collections and views go
// where, and the schedule of stream loads and index builds.
import { describe, expect, it } from 'vitest';
import type { StreamSummary } from '../../src/engines/engine.js';
import { databaseKey, planLoad, planMongoRestore } from '../../src/engines/mongodb/restore-plan.js';
import type { MongoCollectionSchema, MongoSchema } from '../../src/engines/mongodb/schema.js';
import { StowageError, UsageError } from '../../src/errors.js';
import { runSchedule } from '../../src/scheduler/scheduler.js';

const collection = (
  name: string,
  streams: string[] = [name],
  extra: Partial<MongoCollectionSchema> = {},
): MongoCollectionSchema => ({
  name,
  type: 'collection',
  options: {},
  indexes: [],
  streams,
  documents: 10,
  source: 'documents',
  ...extra,
});

const schemaOf = (
  databases: {
    name: string;
    collections: MongoCollectionSchema[];
    views?: { name: string; viewOn: string }[];
  }[],
): MongoSchema => ({
  engine: 'mongodb',
  version: 1,
  server: { version: '7.0.0', topology: 'standalone' },
  databases: databases.map((d) => ({
    name: d.name,
    collections: d.collections,
    views: (d.views ?? []).map((v) => ({ name: v.name, options: { viewOn: v.viewOn, pipeline: [] } })),
  })),
});

/** The archive's stream list for a schema: every collection stream, sized as given (default 1 byte). */
const streamsOf = (schema: MongoSchema, bytes: Record<string, number> = {}): StreamSummary[] =>
  schema.databases.flatMap((d) =>
    d.collections.flatMap((c) => c.streams.map((name) => ({ name, items: 1, rawBytes: bytes[name] ?? 1 }))),
  );

const shop = schemaOf([
  {
    name: 'shop',
    collections: [
      collection('shop.orders', ['shop.orders', 'shop.orders$1']),
      collection('shop.users'),
      collection('shop.empty', []),
    ].map((c) => ({ ...c, name: c.name.replace('shop.', '') })),
    views: [
      // Listed before the view it is defined on: the plan creates it after.
      { name: 'top', viewOn: 'active' },
      { name: 'active', viewOn: 'users' },
    ],
  },
  { name: 'logs', collections: [collection('events', ['logs.events'])] },
]);

describe('planMongoRestore', () => {
  it('restores every archived namespace in place, views after the views they are defined on', () => {
    const warnings: string[] = [];
    const plan = planMongoRestore(shop, {}, streamsOf(shop), undefined, (m) => warnings.push(m));
    expect(plan.collections.map((c) => c.target.ns)).toEqual([
      'shop.orders',
      'shop.users',
      'shop.empty',
      'logs.events',
    ]);
    expect(plan.collections[0]?.streams.map((s) => s.name)).toEqual(['shop.orders', 'shop.orders$1']);
    expect(plan.views.map((v) => v.target.ns)).toEqual(['shop.active', 'shop.top']);
    expect(warnings).toEqual([]);
  });

  it('follows --include and --ns-from/--ns-to, views keeping their source under its new name', () => {
    const plan = planMongoRestore(
      shop,
      { include: ['shop.*'], nsFrom: ['shop.*'], nsTo: ['copy.*'] },
      streamsOf(shop),
      undefined,
      () => {},
    );
    expect(plan.collections.map((c) => c.target.ns)).toEqual(['copy.orders', 'copy.users', 'copy.empty']);
    expect(plan.views.find((v) => v.target.ns === 'copy.active')?.options.viewOn).toBe('users');
    expect(plan.map('shop.later').ns).toBe('copy.later');
    expect(plan.filter.accepts('logs.events')).toBe(false);
  });

  it('restores a one-database selection into the database the URL names, but refuses two databases', () => {
    const one = planMongoRestore(shop, { include: ['logs.*'] }, streamsOf(shop), 'elsewhere', () => {});
    expect(one.collections.map((c) => c.target.ns)).toEqual(['elsewhere.events']);
    // `admin` only names where the user is defined.
    expect(
      planMongoRestore(shop, {}, streamsOf(shop), 'admin', () => {}).collections.map((c) => c.target.db),
    ).toContain('shop');
    expect(() => planMongoRestore(shop, {}, streamsOf(shop), 'elsewhere', () => {})).toThrow(UsageError);
  });

  it('refuses a pattern that matches nothing, two namespaces mapped onto one, and a missing stream', () => {
    expect(() =>
      planMongoRestore(shop, { include: ['nope.*'] }, streamsOf(shop), undefined, () => {}),
    ).toThrow(/--ns-include "nope\.\*" matches no collection/);
    expect(() =>
      planMongoRestore(
        shop,
        { nsFrom: ['shop.users', 'shop.orders'], nsTo: ['shop.all', 'shop.all'] },
        streamsOf(shop),
        undefined,
        () => {},
      ),
    ).toThrow(/both shop\.orders and shop\.users would be restored as shop\.all/);
    const missing = (() => {
      try {
        planMongoRestore(
          shop,
          {},
          streamsOf(shop).filter((s) => s.name !== 'shop.orders$1'),
          undefined,
          () => {},
        );
      } catch (error) {
        return error;
      }
    })();
    expect(missing).toBeInstanceOf(StowageError);
    expect((missing as StowageError).code).toBe('missing-stream');
    expect((missing as StowageError).message).toContain('shop.orders$1');
  });

  it('sends time series documents to the system.buckets collection', () => {
    const ts = schemaOf([
      {
        name: 'm',
        collections: [collection('weather', ['m.weather'], { type: 'timeseries', source: 'buckets' })],
      },
    ]);
    const plan = planMongoRestore(ts, {}, streamsOf(ts), undefined, () => {});
    expect(plan.collections[0]?.insertInto).toBe('system.buckets.weather');
  });
});

describe('planLoad', () => {
  const sizes = { 'shop.orders': 50, 'shop.orders$1': 40, 'shop.users': 70, 'logs.events': 10 };
  const plan = planMongoRestore(shop, {}, streamsOf(shop, sizes), undefined, () => {});
  const tasks = planLoad(plan.collections);

  it('loads each stream as a task counting against its database; each collection finishes after its own streams', () => {
    expect(
      tasks.map((t) => ({ id: t.id, deps: t.deps, limits: t.limits, priority: t.priority, size: t.size })),
    ).toEqual([
      { id: 'stream:shop.orders', deps: [], limits: ['database:shop'], priority: 0, size: 50 },
      { id: 'stream:shop.orders$1', deps: [], limits: ['database:shop'], priority: 0, size: 40 },
      {
        id: 'collection:shop.orders',
        deps: ['stream:shop.orders', 'stream:shop.orders$1'],
        limits: [],
        priority: 1,
        size: 0,
      },
      { id: 'stream:shop.users', deps: [], limits: ['database:shop'], priority: 0, size: 70 },
      { id: 'collection:shop.users', deps: ['stream:shop.users'], limits: [], priority: 1, size: 0 },
      // No documents: its indexes are built at once.
      { id: 'collection:shop.empty', deps: [], limits: [], priority: 1, size: 0 },
      { id: 'stream:logs.events', deps: [], limits: ['database:logs'], priority: 0, size: 10 },
      { id: 'collection:logs.events', deps: ['stream:logs.events'], limits: [], priority: 1, size: 0 },
    ]);
  });

  it('runs biggest stream first, a collection’s indexes as soon as its streams are in, within a per-database limit', async () => {
    const order: string[] = [];
    let shopLoading = 0;
    let peakShopLoading = 0;
    await runSchedule(
      tasks.map((t) => ({
        ...t,
        run: async () => {
          order.push(t.id);
          if (t.limits.includes(databaseKey('shop'))) {
            shopLoading++;
            peakShopLoading = Math.max(peakShopLoading, shopLoading);
          }
          await new Promise<void>((r) => setImmediate(r));
          if (t.limits.includes(databaseKey('shop'))) shopLoading--;
        },
      })),
      [0, 1, 2],
      { limitOf: (key) => (key.startsWith('database:') ? 1 : undefined) },
    );
    expect(order.slice(0, 2)).toEqual(['collection:shop.empty', 'stream:shop.users']);
    // One shop stream at a time: the third worker takes the small logs stream instead of waiting.
    expect(order[2]).toBe('stream:logs.events');
    expect(peakShopLoading).toBe(1);
    expect(order.indexOf('collection:shop.users')).toBeLessThan(order.indexOf('stream:shop.orders$1'));
    expect(order.indexOf('collection:shop.orders')).toBe(order.length - 1);
    expect(new Set(order).size).toBe(tasks.length);
  });

  it('makes a small collection (one stream within smallBytes, or none) one task: create, indexes, data', () => {
    const small = planLoad(plan.collections, { smallBytes: 45 });
    expect(
      small.map((t) => ({ id: t.id, deps: t.deps, limits: t.limits, kind: t.work.kind, size: t.size })),
    ).toEqual([
      // Two streams: never small, whatever their size.
      { id: 'stream:shop.orders', deps: [], limits: ['database:shop'], kind: 'load', size: 50 },
      { id: 'stream:shop.orders$1', deps: [], limits: ['database:shop'], kind: 'load', size: 40 },
      {
        id: 'collection:shop.orders',
        deps: ['stream:shop.orders', 'stream:shop.orders$1'],
        limits: [],
        kind: 'finish',
        size: 0,
      },
      // Over smallBytes: loaded, then indexed.
      { id: 'stream:shop.users', deps: [], limits: ['database:shop'], kind: 'load', size: 70 },
      { id: 'collection:shop.users', deps: ['stream:shop.users'], limits: [], kind: 'finish', size: 0 },
      { id: 'collection:shop.empty', deps: [], limits: [], kind: 'whole', size: 0 },
      { id: 'collection:logs.events', deps: [], limits: [], kind: 'whole', size: 10 },
    ]);
    const events = small.find((t) => t.id === 'collection:logs.events')!.work;
    expect(events.kind === 'whole' && events.stream?.name).toBe('logs.events');
  });
});
