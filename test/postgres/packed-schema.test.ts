// A backup keeps a large schema's objects packed from the end of the catalog read to the footer
// (archive/packed-json.ts): the archive must hold the very schema an unpacked backup holds, restore
// the same, and the caller must get the schema back as objects.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, inspect, restore } from '../../src/index.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { catalogSnapshot, tableChecksums } from './support.js';

describe('postgres backup with its schema packed', () => {
  let source: TestPgDatabase;
  let target: TestPgDatabase | undefined;
  let dir: string;

  beforeAll(async () => {
    source = await createPgDatabase('backupmem_packed_src');
    await withPgClient(source.url, (c) =>
      c.query(`CREATE SCHEMA app;
               CREATE TABLE app.a (id int PRIMARY KEY, label text DEFAULT 'é😀');
               CREATE TABLE app.b (id int PRIMARY KEY, a_id int REFERENCES app.a, at timestamptz DEFAULT now());
               CREATE INDEX b_a ON app.b (a_id);
               CREATE VIEW app.v AS SELECT a.label, b.at FROM app.a JOIN app.b ON b.a_id = a.id;
               INSERT INTO app.a SELECT g, 'x' || g FROM generate_series(1, 50) g;
               INSERT INTO app.b SELECT g, g FROM generate_series(1, 50) g;`),
    );
    dir = await mkdtemp(join(tmpdir(), 'backupmem-packed-'));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([source, target].filter(Boolean).map((d) => d?.drop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the schema an unpacked backup writes, hands it back as objects, and restores it', async () => {
    const run = (packSchemaFromItems: number, to: string) =>
      backup({ source: source.url, to: join(dir, to), jobs: 2, preflight: false, packSchemaFromItems });
    const plain = await run(Number.MAX_SAFE_INTEGER, 'plain.stow');
    const packed = await run(0, 'packed.stow');

    const schemaOf = async (archive: string) =>
      (await inspect(archive)).manifest.schema as { objects: unknown[] };
    const archived = await schemaOf(packed.archive);
    expect(archived).toEqual(await schemaOf(plain.archive));
    expect(archived.objects.length).toBeGreaterThan(5);
    // The summary's manifest reads as the schema the engine built, not as its packed stand-in.
    const handedBack = packed.manifest.schema as { objects: unknown[] };
    expect(Array.isArray(handedBack.objects)).toBe(true);
    expect(JSON.parse(JSON.stringify(packed.manifest.schema))).toEqual(archived);

    target = await createPgDatabase('backupmem_packed_dst');
    await restore({ archive: packed.archive, target: target.url, jobs: 2, safetyBackup: false });
    expect(await catalogSnapshot(target.url, true)).toEqual(await catalogSnapshot(source.url, true));
    expect(await tableChecksums(target.url)).toEqual(await tableChecksums(source.url));
  }, 120_000);
});
