import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveName, parseArchiveName } from '../../src/catalog/naming.js';
import { resolveDestination } from '../../src/store/destination.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-destination-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = new Date('2026-11-22T01:14:09.500Z');

describe('generated archive names', () => {
  it('number further backups within one second, and read back', () => {
    expect(archiveName('shop', at, 'scheduled')).toBe('shop-20261122-011409.stow');
    expect(archiveName('shop', at, 'scheduled', 2)).toBe('shop-20261122-011409-2.stow');
    expect(archiveName('shop-1', at, 'manual', 12)).toBe('shop-1-20261122-011409-12-manual.stow');
    for (const [name, database, kind] of [
      ['shop-20261122-011409-2.stow', 'shop', 'scheduled'],
      ['shop-1-20261122-011409-12-manual.stow', 'shop-1', 'manual'],
      ['x-20251231-235959-20261122-011409.stow', 'x-20251231-235959', 'scheduled'],
    ] as const) {
      const parsed = parseArchiveName(name);
      expect(parsed?.database, name).toBe(database);
      expect(parsed?.kind, name).toBe(kind);
      expect(parsed?.at.toISOString(), name).toBe('2026-11-22T01:14:09.000Z');
    }
  });

  it('two backups of one database in the same second get two archives, even while both are writing', async () => {
    const generated = (sequence: number) => archiveName('shop', at, 'scheduled', sequence);
    const first = await resolveDestination(dir, generated);
    const second = await resolveDestination(dir, generated);
    const a = await first.open();
    // The first is still being written (only its .partial exists): the second must not share it.
    const b = await second.open();
    expect([first.name, second.name]).toEqual(['shop-20261122-011409.stow', 'shop-20261122-011409-2.stow']);
    await a.write(Buffer.from('first'));
    await b.write(Buffer.from('second'));
    await a.commit();
    await b.commit();
    // And a third, after both finished, takes the next number.
    const third = await resolveDestination(dir, generated);
    await (await third.open()).abort();
    expect(third.name).toBe('shop-20261122-011409-3.stow');
    expect((await readdir(dir)).sort()).toEqual(['shop-20261122-011409-2.stow', 'shop-20261122-011409.stow']);
    for (const d of [first, second, third]) await d.repository?.close();
  });
});
