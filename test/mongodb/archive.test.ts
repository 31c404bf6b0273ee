import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StowageError } from '../../src/errors.js';
import { backup, restore } from '../../src/index.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { BSON_CASES, caseDocument, documentOfSize } from './support/bson-cases.js';
import { insertRaw, readRaw, serverSupports } from './support/engine.js';

// The MongoDB engine through the real archive and library API: bytes that go
// in come out, whatever the compression or encryption, and a damaged archive
// is refused without restoring wrong data.

const dir = mkdtempSync(join(tmpdir(), 'stowage-mongo-archive-'));
const created: string[] = [];
const dbName = (prefix: string) => {
  const name = uniqueMongoDbName(prefix);
  created.push(name);
  return name;
};
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withMongoClient(async (client) => {
    for (const name of created) await client.db(name).dropDatabase();
  });
});

async function seed(db: string) {
  await withMongoClient(async (client) => {
    const cases = BSON_CASES.flatMap((c, i) =>
      !c.needs || serverSupports(c.needs) ? [caseDocument(i)] : [],
    );
    await insertRaw(client, db, 'types', cases);
    const many = Array.from({ length: 3000 }, (_, i) => documentOfSize(10_000 + i, 200 + (i % 1000)));
    await insertRaw(client, db, 'many', many);
    await insertRaw(client, db, 'large', [documentOfSize(1, 5 * 1024 * 1024)]);
    await client.db(db).collection('many').createIndex({ pad: 1 }, { name: 'by_pad' });
  });
}

describe('backup to a .stow archive and restore from it', () => {
  for (const variant of [
    { name: 'zstd level 3', options: {} },
    { name: 'no compression', options: { compression: 'none' as const } },
    { name: 'encrypted', options: { encryption: { passphrase: 'correct horse battery staple' } } },
  ]) {
    it(variant.name, async () => {
      const source = dbName('arc_src');
      const target = dbName('arc_dst');
      await seed(source);
      const file = join(dir, `${source}.stow`);
      const summary = await backup({
        source: mongoUrlFor(source),
        to: file,
        jobs: 2,
        preflight: false,
        ...variant.options,
      });
      expect(summary.manifest.engine).toBe('mongodb');
      expect(summary.manifest.pointInTime).toBe(false);
      expect(summary.items).toBe(3001 + BSON_CASES.filter((c) => !c.needs || serverSupports(c.needs)).length);

      const restored = await restore({
        archive: file,
        target: mongoUrlFor(target),
        jobs: 2,
        safetyBackup: false,
        ...('encryption' in variant.options ? { encryption: variant.options.encryption } : {}),
      });
      expect(restored.database).toBe(target);
      await withMongoClient(async (client) => {
        for (const coll of ['types', 'many', 'large']) {
          const a = await readRaw(client, source, coll);
          const b = await readRaw(client, target, coll);
          expect(b.length, coll).toBe(a.length);
          expect(Buffer.concat(b).equals(Buffer.concat(a)), coll).toBe(true);
        }
        const indexes = await client.db(target).collection('many').listIndexes().toArray();
        expect(indexes.map((i) => i.name).sort()).toEqual(['_id_', 'by_pad']);
      });
    });
  }

  it('a truncated archive is refused and restores nothing wrong', async () => {
    const source = dbName('arc_trunc');
    const target = dbName('arc_trunc_dst');
    await seed(source);
    const file = join(dir, `${source}.stow`);
    await backup({ source: mongoUrlFor(source), to: file, preflight: false });
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const error = await restore({ archive: file, target: mongoUrlFor(target), safetyBackup: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StowageError);
    expect((error as StowageError).message).not.toContain('\n');
    await withMongoClient(async (client) => {
      // Whatever got in before the damaged part was found is a prefix of the real data, never altered bytes.
      const original = new Set((await readRaw(client, source, 'many')).map((d) => d.toString('hex')));
      for (const d of await readRaw(client, target, 'many'))
        expect(original.has(d.toString('hex'))).toBe(true);
    });
  });
});
