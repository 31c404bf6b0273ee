import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
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

  it('backups of one database within one second get numbered archives', async () => {
    const generated = (sequence: number) => archiveName('shop', at, 'scheduled', sequence);
    const names: string[] = [];
    for (const content of ['first', 'second', 'third']) {
      const destination = await resolveDestination(dir, generated);
      const sink = await destination.open();
      await sink.write(Buffer.from(content));
      await sink.commit();
      names.push(destination.name as string);
      await destination.repository?.close();
    }
    expect(names).toEqual([
      'shop-20261122-011409.stow',
      'shop-20261122-011409-2.stow',
      'shop-20261122-011409-3.stow',
    ]);
    expect((await readdir(dir)).sort()).toEqual([...names].sort());
    expect(await readFile(join(dir, names[1] as string), 'utf8')).toBe('second');
  });
});

describe('generated archive names under concurrency', () => {
  const generated = (sequence: number) => archiveName('shop', at, 'manual', sequence);

  it('two backups writing at once never share a file, and leave no claim behind', async () => {
    const folder = await mkdtemp(join(dir, 'race-'));
    const first = await resolveDestination(folder, generated);
    const second = await resolveDestination(folder, generated);
    const a = await first.open();
    // The first is still being written (only its .partial and claim exist): the second takes the next name.
    const b = await second.open();
    expect([first.name, second.name]).toEqual([
      'shop-20261122-011409-manual.stow',
      'shop-20261122-011409-2-manual.stow',
    ]);
    await a.write(Buffer.from('first'));
    await b.write(Buffer.from('second'));
    await a.commit();
    await b.abort();
    expect((await readdir(folder)).sort()).toEqual(['shop-20261122-011409-manual.stow']);
    expect(await readFile(join(folder, 'shop-20261122-011409-manual.stow'), 'utf8')).toBe('first');
    for (const d of [first, second]) await d.repository?.close();
  });

  it('a .partial left by a crashed backup, without its claim, does not block its name', async () => {
    const folder = await mkdtemp(join(dir, 'crashed-'));
    const left = join(folder, 'shop-20261122-011409-manual.stow.partial');
    await writeFile(left, 'half');
    // Untouched for longer than leftovers without an owner are judged stale (a day).
    const dayAgo = new Date(Date.now() - 25 * 3_600_000);
    await utimes(left, dayAgo, dayAgo);
    const destination = await resolveDestination(folder, generated);
    const sink = await destination.open();
    await sink.write(Buffer.from('whole'));
    await sink.commit();
    expect(destination.name).toBe('shop-20261122-011409-manual.stow');
    expect(await readFile(join(folder, 'shop-20261122-011409-manual.stow'), 'utf8')).toBe('whole');
    await destination.repository?.close();
  });

  it('a recent .partial without its claim (removed by hand) may still be written: the next name is taken', async () => {
    const folder = await mkdtemp(join(dir, 'unclaimed-'));
    await writeFile(join(folder, 'shop-20261122-011409-manual.stow.partial'), 'half');
    const destination = await resolveDestination(folder, generated);
    const sink = await destination.open();
    await sink.write(Buffer.from('whole'));
    await sink.commit();
    expect(destination.name).toBe('shop-20261122-011409-2-manual.stow');
    expect(await readFile(join(folder, 'shop-20261122-011409-manual.stow.partial'), 'utf8')).toBe('half');
    await destination.repository?.close();
  });

  it('an explicit name being written by one backup is refused to a second one, before and after it lands', async () => {
    const folder = await mkdtemp(join(dir, 'publish-'));
    const { LocalRepository } = await import('../../src/store/local/local-repository.js');
    const repository = new LocalRepository(folder);
    const a = await repository.createArchive('shop.stow');
    await expect(repository.createArchive('shop.stow')).rejects.toMatchObject({ code: 'exists' });
    await a.write(Buffer.from('first'));
    await a.commit();
    await expect(repository.createArchive('shop.stow')).rejects.toMatchObject({ code: 'exists' });
    expect(await readFile(join(folder, 'shop.stow'), 'utf8')).toBe('first');
    expect((await readdir(folder)).sort()).toEqual(['shop.stow']);
  });
});
