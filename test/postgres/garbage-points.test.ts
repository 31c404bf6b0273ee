// The PostgreSQL engine says where a phase's garbage ends (garbage-points.ts): the CLI
// collects there, which is what holds a 20,000-table backup's and restore's peak memory down.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/progress.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { backupToMemory, restoreFromMemory } from './support.js';

/** Runs `run`, and lists in order the phases it reported and the garbage points it said. */
async function phasesAndPoints(run: (events: ProgressEvent[]) => Promise<unknown>): Promise<string[]> {
  // One list for both, so their order is kept: progress events are pushed as they come.
  const seen: (ProgressEvent | { point: string })[] = [];
  const onPoint = (message: unknown) => {
    seen.push({ point: (message as { what: string }).what });
  };
  subscribe('stowage:garbage-point', onPoint);
  try {
    await run(seen as ProgressEvent[]);
  } finally {
    unsubscribe('stowage:garbage-point', onPoint);
  }
  return seen.flatMap((e) =>
    'point' in e ? [`point ${e.point}`] : e.type === 'phase' ? [`phase ${e.phase}`] : [],
  );
}

describe('postgres garbage points', () => {
  let source: TestPgDatabase;
  let target: TestPgDatabase | undefined;

  beforeAll(async () => {
    source = await createPgDatabase('pg_gcpoints_src');
    await withPgClient(source.url, (c) =>
      c.query(`CREATE TABLE a (id int PRIMARY KEY, label text);
               CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
               CREATE INDEX b_a ON b (a_id);
               INSERT INTO a SELECT g, 'x' || g FROM generate_series(1, 10) g;
               INSERT INTO b SELECT g, g FROM generate_series(1, 10) g;`),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all([source, target].filter(Boolean).map((d) => d?.drop()));
  });

  it('a backup says one once the catalog is read, one as its data phase starts and one when it ends; a restore one once its schema is read, one before its pre-data and one once its schedule is wired', async () => {
    let backup: Awaited<ReturnType<typeof backupToMemory>> | undefined;
    const backedUp = await phasesAndPoints(async (events) => {
      backup = await backupToMemory(source.url, {}, 2, events);
    });
    expect(backedUp.filter((s) => s.startsWith('point'))).toEqual([
      'point catalog read',
      'point data',
      'point footer',
    ]);
    // The catalog's point falls in the schema phase; the data point after the data phase is announced.
    expect(backedUp.indexOf('point catalog read')).toBeGreaterThan(backedUp.indexOf('phase schema'));
    expect(backedUp.indexOf('point catalog read')).toBeLessThan(backedUp.indexOf('phase data'));
    expect(backedUp.indexOf('point data')).toBeGreaterThan(backedUp.indexOf('phase data'));
    expect(backedUp.indexOf('point data')).toBeLessThan(backedUp.indexOf('phase done'));
    // The data phase's garbage ends before the footer (the schema) is written, after the last COPY.
    expect(backedUp.indexOf('point footer')).toBeLessThan(backedUp.indexOf('phase done'));

    target = await createPgDatabase('pg_gcpoints_dst');
    const restored = await phasesAndPoints((events) =>
      restoreFromMemory((target as TestPgDatabase).url, backup as NonNullable<typeof backup>, {}, 2, events),
    );
    // One once the footer's schema is read and checked (its parse's garbage), one before pre-data, and
    // one once the schedule is planned and wired, while the pre-data runs (its 80,000 tasks' garbage at
    // 20,000 tables): V8's own collections keep the data phase's garbage down from there.
    expect(restored.filter((s) => s.startsWith('point'))).toEqual([
      'point schema read',
      'point pre-data',
      'point schedule wired',
    ]);
    expect(restored.indexOf('point schema read')).toBeLessThan(restored.indexOf('point pre-data'));
    expect(restored.indexOf('point pre-data')).toBeLessThan(restored.indexOf('phase pre-data'));
    expect(restored.indexOf('point schedule wired')).toBeGreaterThan(restored.indexOf('phase pre-data'));
    expect(restored.indexOf('point schedule wired')).toBeLessThan(restored.indexOf('phase data'));
    const rows = await withPgClient(target.url, (c) => c.query('SELECT count(*)::int AS n FROM b'));
    expect(rows.rows[0].n).toBe(10);
  }, 120_000);
});
