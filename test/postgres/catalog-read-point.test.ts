// The garbage point a catalog read says once its rows are in (garbage-points.ts): settled for a packed
// catalog, so that the CLI's collection there gives back the pages it freed before ordering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import { type GarbagePointContext, garbagePoints } from '../../src/garbage-points.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { readWholeCatalog } from './read-whole-catalog.js';

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('bkpeak3_read_point');
  await withPgClient(db.url, (client) =>
    client.query(`
      CREATE TABLE customer (id integer PRIMARY KEY, name text);
      CREATE TABLE purchase (id integer PRIMARY KEY, customer integer REFERENCES customer (id));
      CREATE INDEX purchase_customer ON purchase (customer);`),
  );
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

/** The points said while the catalog is read, its objects packed from `packFromRelations` relations. */
async function pointsOfRead(packFromRelations: number): Promise<GarbagePointContext[]> {
  const points: GarbagePointContext[] = [];
  const heard = (message: unknown) => points.push(message as GarbagePointContext);
  const session = await PgSession.open(parseTarget(db.url), { mode: 'backup' });
  garbagePoints.subscribe(heard);
  try {
    await readWholeCatalog(session, [], packFromRelations);
    return points;
  } finally {
    garbagePoints.unsubscribe(heard);
    await session.close();
  }
}

describe("a catalog read's garbage point", () => {
  it('is settled when the catalog is packed, and not when it is small enough to stay plain', async () => {
    // Packed (20,000 tables): the resolving and ordering after the point rose from the regular
    // collection's ~40 MB of committed heap over ~21 live to the backup's peak.
    const packed = (await pointsOfRead(0)).filter((p) => p.what === 'catalog read');
    expect(packed).toHaveLength(1);
    expect(packed[0]!.settled).toBe(true);
    const plain = (await pointsOfRead(Number.MAX_SAFE_INTEGER)).filter((p) => p.what === 'catalog read');
    expect(plain).toHaveLength(1);
    expect(plain[0]!.settled).toBeUndefined();
  }, 60_000);
});
