// The backup's free-space check sizes the newest archive of the database: found by name (names
// carry their time), only that one stat-ed, not every file of a repository of thousands.
import { mkdtemp, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveName } from '../../src/catalog/naming.js';
import { StowageError } from '../../src/errors.js';
import { lastArchiveSize } from '../../src/ops/last-archive-size.js';
import { preflight } from '../../src/ops/preflight.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';

/** A local repository that counts the calls that stat files. */
class CountingRepository extends LocalRepository {
  listed = 0;
  sized: string[] = [];
  override listFiles(folder?: string) {
    if (!folder) this.listed++;
    return super.listFiles(folder);
  }
  override fileSize(name: string) {
    this.sized.push(name);
    return super.fileSize(name);
  }
}

const TIB = 1024 ** 4;
let dir: string;
const at = (day: number) => new Date(Date.UTC(2026, 0, 1 + day, 2));
const newest = archiveName('shop', at(300), 'scheduled');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-last-archive-'));
  for (let day = 0; day < 300; day++) {
    await writeFile(join(dir, archiveName('shop', at(day), day % 2 ? 'manual' : 'scheduled')), 'x');
    await writeFile(join(dir, archiveName('other', at(day + 400), 'scheduled')), 'xx');
  }
  // Sparse: 1 TiB as the repository sees it, nothing on disk.
  await writeFile(join(dir, newest), '');
  await truncate(join(dir, newest), TIB);
  await writeFile(join(dir, `${archiveName('shop', at(500), 'scheduled')}.partial`), 'unfinished');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the last archive size the preflight plans for', () => {
  it('is the newest archive of the database, and the only file stat-ed', async () => {
    const repository = new CountingRepository(dir);
    expect(await lastArchiveSize(repository, 'postgres://h/shop')).toBe(TIB);
    expect(repository.listed).toBe(0);
    expect(repository.sized).toEqual([newest]);
  });

  it('is what the preflight sizes its free-space floor on, without listing every file with its size', async () => {
    const repository = new CountingRepository(dir);
    const err = await preflight(repository, 'postgres://h/shop', { skipSource: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StowageError);
    expect((err as StowageError).hint).toMatch(/the last archive of this database took 1024\.0 GiB/);
    expect(repository.listed).toBe(0);
  });

  it('falls back to the next newest when the newest went between listing and sizing, 0 without any', async () => {
    const repository = new CountingRepository(dir);
    repository.fileSize = async (name) =>
      name === newest ? undefined : LocalRepository.prototype.fileSize.call(repository, name);
    expect(await lastArchiveSize(repository, 'postgres://h/shop')).toBe(1);
    expect(await lastArchiveSize(repository, 'postgres://h/nothing')).toBe(0);
    await unlink(join(dir, archiveName('other', at(699), 'scheduled')));
    expect(await lastArchiveSize(repository, 'postgres://h/other')).toBe(2);
  });
});
