// A catalog of thousands of relations is packed as its readers build it (introspect/packed-object.ts):
// every parity fixture's schema read packed must give the very JSON it gives unpacked (the
// archive's footer), the same tables, sequences and warnings, objects in the same order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonPieceBytes } from '../../src/archive/json-pieces.js';
import { PgSession, parseTarget } from '../../src/engines/postgres/connect.js';
import type { CatalogContext } from '../../src/engines/postgres/introspect/context.js';
import { PackedList } from '../../src/engines/postgres/introspect/packed-list.js';
import { PackedObject } from '../../src/engines/postgres/introspect/packed-object.js';
import { listSchemas, readCatalog } from '../../src/engines/postgres/introspect/read-catalog.js';
import { selectRelations } from '../../src/engines/postgres/introspect/relations.js';
import { NameFilter } from '../../src/engines/postgres/patterns.js';
import { readServerInfo } from '../../src/engines/postgres/server-info.js';
import { beginSnapshot, joinSnapshot } from '../../src/engines/postgres/snapshot.js';
import { createPgDatabase, type TestPgDatabase } from '../support/pg.js';
import { loadParityFixtures } from './parity.js';

const SETTINGS = { search_path: '', DateStyle: 'ISO', IntervalStyle: 'postgres', extra_float_digits: '3' };

let db: TestPgDatabase;

beforeAll(async () => {
  db = await createPgDatabase('catalogstream_packed');
  await loadParityFixtures(db.url);
}, 180_000);

afterAll(async () => {
  await db?.drop();
});

/** The catalog read with a helper session, its objects packed from `packFromRelations` relations. */
async function read(packFromRelations: number) {
  const target = parseTarget(db.url);
  const leader = await PgSession.open(target, { mode: 'backup', settings: SETTINGS });
  const helper = await PgSession.open(target, { mode: 'backup', settings: SETTINGS });
  try {
    const server = await readServerInfo(leader);
    await joinSnapshot(helper, (await beginSnapshot(leader, true)) as string);
    const filter = new NameFilter({});
    const ctx: CatalogContext = {
      session: leader,
      version: server.versionNum,
      schemas: [],
      relations: [],
      warnings: [],
      incomplete: [],
    };
    ctx.schemas = await listSchemas(ctx, filter);
    ctx.relations = (await selectRelations(ctx, filter)).map((r) => r.oid);
    const catalog = await readCatalog(ctx, [helper], undefined, undefined, undefined, packFromRelations);
    return { catalog, warnings: ctx.warnings, incomplete: ctx.incomplete };
  } finally {
    await Promise.all([leader.close(), helper.close()]);
  }
}

describe('a catalog packed as it is read', () => {
  it('writes the JSON, tables, sequences and warnings of the same catalog unpacked', async () => {
    const plain = await read(Number.MAX_SAFE_INTEGER);
    const packed = await read(0);
    expect(plain.catalog.objects.some((o) => o instanceof PackedObject)).toBe(false);
    const packedCount = packed.catalog.objects.filter((o) => o instanceof PackedObject).length;
    // Most are packed (those with parts, shells or refreshes are not).
    expect(packedCount).toBeGreaterThan(plain.catalog.objects.length / 2);
    const text = Buffer.concat([...jsonPieceBytes(new PackedList(packed.catalog.objects), 4096)]).toString(
      'utf8',
    );
    expect(text).toBe(JSON.stringify(plain.catalog.objects));
    expect(packed.catalog.tables).toEqual(plain.catalog.tables);
    expect(packed.catalog.sequences).toEqual(plain.catalog.sequences);
    expect(packed.warnings).toEqual(plain.warnings);
    expect(packed.incomplete).toEqual(plain.incomplete);
  }, 180_000);
});
