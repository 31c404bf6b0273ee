// The one contract every store's Repository keeps (src/store/repository.ts).
// Each store runs it from its own test file: local and memory as unit tests,
// S3 against the test MinIO. A new store passes it before it is registered.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StowageError } from '../../src/errors.js';
import { openRepository } from '../../src/store/open-repository.js';
import type { StoreOptions } from '../../src/store/registry.js';
import type { Repository } from '../../src/store/repository.js';

export interface ContractSubject {
  /** The address of a new, empty repository (a fresh folder, prefix or space). */
  location(): Promise<string>;
  /** Settings the store needs (endpoint, credentials). */
  stores?(): StoreOptions;
  /**
   * True when the store sees an archive being written before its first byte
   * reaches the service (local `.partial` files, memory). S3 sees nothing
   * until a multipart upload begins, so it cannot report a small one.
   */
  reportsUnfinishedWrites: boolean;
}

/** The StowageError code `promise` rejects with; undefined when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(StowageError);
    return (err as StowageError).code;
  }
}

/** Writes `bytes` in chunks, reusing one buffer when the sink says it may (as the archive writer does). */
async function writeArchive(repository: Repository, name: string, bytes: Buffer, commit = true) {
  const sink = await repository.createArchive(name);
  const chunk = 64 * 1024;
  const scratch = Buffer.alloc(chunk);
  for (let at = 0; at < bytes.length; at += chunk) {
    const part = bytes.subarray(at, at + chunk);
    if (sink.releasesChunks) {
      part.copy(scratch);
      await sink.write(scratch.subarray(0, part.length));
      scratch.fill(0xee); // a sink that kept the chunk would now hold garbage
    } else {
      await sink.write(Buffer.from(part));
    }
  }
  if (commit) await sink.commit();
  return sink;
}

async function names(repository: Repository, folder?: string): Promise<string[]> {
  return (await repository.listFiles(folder)).map((f) => f.name).sort();
}

export function describeRepositoryContract(store: string, subject: ContractSubject): void {
  const open = async (location?: string) =>
    openRepository(location ?? (await subject.location()), { stores: subject.stores?.() });

  async function withRepository(test: (repository: Repository) => Promise<void>) {
    const repository = await open();
    try {
      await test(repository);
    } finally {
      await repository.close();
    }
  }

  describe(`the ${store} store keeps the repository contract`, () => {
    it('publishes an archive only on commit, under its name and size, and leaves no claim behind', () =>
      withRepository(async (repository) => {
        expect(await names(repository)).toEqual([]);
        const bytes = randomBytes(300_000);
        const sink = await writeArchive(repository, 'a.stow', bytes, false);
        expect(await names(repository)).not.toContain('a.stow');
        expect(await codeOf(repository.openArchive('a.stow'))).toBe('not-found');
        await sink.commit();
        const files = await repository.listFiles();
        expect(files.map((f) => [f.name, f.size])).toEqual([['a.stow', bytes.length]]);
        expect(files[0]!.modified).toBeInstanceOf(Date);
        expect(sink.location).toBe(repository.locate('a.stow'));
      }));

    it('reads any range of an archive, and fewer bytes only at its end', () =>
      withRepository(async (repository) => {
        const bytes = randomBytes(200_001);
        await writeArchive(repository, 'r.stow', bytes);
        for (const sequential of [false, true]) {
          const source = await repository.openArchive('r.stow', { sequential });
          try {
            expect(source.size).toBe(bytes.length);
            expect((await source.read(0, 16)).equals(bytes.subarray(0, 16))).toBe(true);
            expect((await source.read(123_457, 70_000)).equals(bytes.subarray(123_457, 193_457))).toBe(true);
            expect((await source.read(bytes.length - 5, 100)).equals(bytes.subarray(bytes.length - 5))).toBe(
              true,
            );
            expect((await source.read(bytes.length, 10)).length).toBe(0);
          } finally {
            await source.close();
          }
        }
      }));

    it('shows the same archives and side files to another handle on the same address', () =>
      withRepository(async (repository) => {
        const bytes = randomBytes(1000);
        await writeArchive(repository, 'shared.stow', bytes);
        await repository.writeText('shared.stow.verify.json', '{"ok":true}');
        const other = await open(repository.url);
        try {
          expect(other.url).toBe(repository.url);
          expect(await names(other)).toEqual(['shared.stow', 'shared.stow.verify.json']);
          const source = await other.openArchive('shared.stow');
          expect(await source.read(0, bytes.length)).toEqual(bytes);
          await source.close();
          expect(await other.readText('shared.stow.verify.json')).toBe('{"ok":true}');
        } finally {
          await other.close();
        }
      }));

    it('gives one name to one writer: the second fails with `exists`, during and after the first', () =>
      withRepository(async (repository) => {
        const other = await open(repository.url);
        try {
          const attempts = await Promise.allSettled([
            repository.createArchive('one.stow'),
            other.createArchive('one.stow'),
          ]);
          const won = attempts.filter((a) => a.status === 'fulfilled');
          const lost = attempts.filter((a) => a.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(1);
          expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'exists' });
          const sink = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<Repository['createArchive']>>>)
            .value;
          await sink.write(Buffer.from('first'));
          await sink.commit();
          expect(await codeOf(other.createArchive('one.stow'))).toBe('exists');
          expect(await codeOf(repository.createArchive('one.stow'))).toBe('exists');
          const source = await other.openArchive('one.stow');
          expect((await source.read(0, 100)).toString()).toBe('first');
          await source.close();
        } finally {
          await other.close();
        }
      }));

    it('never replaces an archive that appeared under the name while it was written', () =>
      withRepository(async (repository) => {
        const late = await repository.createArchive('race.stow');
        await late.write(Buffer.from('late writer'));
        // Something else puts a file under the name meanwhile (a copy, another tool).
        await repository.writeText('race.stow', 'early writer');
        expect(await codeOf(late.commit())).toBe('exists');
        const source = await repository.openArchive('race.stow');
        expect((await source.read(0, 100)).toString()).toBe('early writer');
        await source.close();
        expect(await names(repository)).toEqual(['race.stow']);
        expect((await repository.listLeftovers()).map((l) => l.name)).not.toContain('race.stow');
      }));

    it('an aborted archive leaves nothing that looks complete, and its name is free again', () =>
      withRepository(async (repository) => {
        const sink = await writeArchive(repository, 'gone.stow', randomBytes(150_000), false);
        await sink.abort();
        expect(await names(repository)).toEqual([]);
        expect(await codeOf(repository.openArchive('gone.stow'))).toBe('not-found');
        expect((await repository.listLeftovers()).map((l) => l.name)).not.toContain('gone.stow');
        await writeArchive(repository, 'gone.stow', Buffer.from('again'));
        expect(await names(repository)).toEqual(['gone.stow']);
      }));

    it('reports an unfinished archive as a leftover that is never stale while its writer runs', () =>
      withRepository(async (repository) => {
        const sink = await writeArchive(repository, 'busy.stow', randomBytes(10_000), false);
        try {
          expect(await names(repository)).not.toContain('busy.stow');
          const leftovers = (await repository.listLeftovers()).filter((l) => l.name === 'busy.stow');
          if (subject.reportsUnfinishedWrites) expect(leftovers).toHaveLength(1);
          for (const leftover of leftovers) expect(leftover).toMatchObject({ stale: false });
          const muchLater = new Date(Date.now() + 7 * 24 * 3_600_000);
          for (const leftover of await repository.listLeftovers({ now: muchLater })) {
            if (leftover.name === 'busy.stow' && leftover.owner) expect(leftover.stale).toBe(false);
          }
        } finally {
          await sink.abort();
        }
        expect((await repository.listLeftovers()).map((l) => l.name)).not.toContain('busy.stow');
      }));

    it('removing a leftover frees its name', () =>
      withRepository(async (repository) => {
        const abandoned = await writeArchive(repository, 'left.stow', randomBytes(5_000), false);
        const [leftover] = (await repository.listLeftovers()).filter((l) => l.name === 'left.stow');
        if (!subject.reportsUnfinishedWrites) {
          await abandoned.abort();
          return;
        }
        expect(leftover).toBeDefined();
        await repository.removeLeftover(leftover!);
        expect((await repository.listLeftovers()).map((l) => l.name)).not.toContain('left.stow');
        await writeArchive(repository, 'left.stow', Buffer.from('fresh'));
        expect(await names(repository)).toEqual(['left.stow']);
      }));

    it('creates a side file only once, even when raced; a lock is built on that', () =>
      withRepository(async (repository) => {
        const texts = ['a', 'b', 'c', 'd', 'e'];
        const created = await Promise.all(texts.map((t) => repository.createText('.stowage/lock', t)));
        expect(created.filter(Boolean)).toHaveLength(1);
        expect(await repository.readText('.stowage/lock')).toBe(texts[created.indexOf(true)]);
        expect(await repository.createText('.stowage/lock', 'late')).toBe(false);
        await repository.remove('.stowage/lock');
        expect(await repository.createText('.stowage/lock', 'next')).toBe(true);
      }));

    it('writes, replaces, reads and deletes side files; a missing one reads as undefined', () =>
      withRepository(async (repository) => {
        expect(await repository.readText('none.json')).toBeUndefined();
        await repository.writeText('x.stow.verify.json', 'one');
        await repository.writeText('x.stow.verify.json', 'two');
        expect(await repository.readText('x.stow.verify.json')).toBe('two');
        await repository.remove('x.stow.verify.json');
        expect(await repository.readText('x.stow.verify.json')).toBeUndefined();
        await repository.remove('x.stow.verify.json'); // missing: not an error
      }));

    it('lists the top level and one side folder at a time; a missing side folder is empty', () =>
      withRepository(async (repository) => {
        await writeArchive(repository, 'top.stow', Buffer.from('top'));
        await repository.writeText('.stowage/runs/r1.json', '{}');
        await repository.writeText('.stowage/runs/r2.json', '{}');
        expect(await names(repository)).toEqual(['top.stow']);
        expect(await names(repository, '.stowage/runs')).toEqual(['r1.json', 'r2.json']);
        expect(await names(repository, '.stowage/none')).toEqual([]);
      }));

    it('deletes an archive: gone from the listing and from reads', () =>
      withRepository(async (repository) => {
        await writeArchive(repository, 'del.stow', Buffer.from('bye'));
        await writeArchive(repository, 'keep.stow', Buffer.from('stay'));
        await repository.remove('del.stow');
        expect(await names(repository)).toEqual(['keep.stow']);
        expect(await codeOf(repository.openArchive('del.stow'))).toBe('not-found');
      }));

    it('is writable, and names files by its own address', () =>
      withRepository(async (repository) => {
        await repository.checkWritable();
        expect(await names(repository)).toEqual([]); // the probe is gone
        expect(repository.locate('n.stow')).toMatch(/n\.stow$/);
        expect(repository.locate('n.stow').startsWith(repository.url)).toBe(true);
      }));
  });
}
