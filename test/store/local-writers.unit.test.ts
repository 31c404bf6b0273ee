// Two backups writing the same archive name in a local repository, after the
// first one's claim (NAME.stow.lock) or its partial file was removed by hand:
// neither may write into the other's file, and nothing one did not write whole
// may be published.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveReader } from '../../src/archive/reader.js';
import { ArchiveWriter } from '../../src/archive/writer.js';
import { openRepository } from '../../src/store/open-repository.js';
import type { Repository } from '../../src/store/repository.js';
import { collect, makeBytes, manifestInput } from '../archive/helpers.js';
import { codeOf } from './repository-contract.js';

let dir: string;
let count = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-local-writers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NAME = 'shop-20261201-120000.stow';
/** More than the sink gathers before it writes (4 MiB), so both writers' bytes reach their files early. */
const PART = 5 * 1024 * 1024;

/** A backup in progress: an archive writer on the repository's sink with one stream open. */
async function startWriter(repository: Repository) {
  const writer = await ArchiveWriter.create(await repository.createArchive(NAME), {
    threads: 0,
    compression: 'none',
  });
  const stream = writer.open('t');
  stream.on('error', () => {}); // reported through the write callbacks
  return { writer, stream };
}

function write(stream: Writable, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => stream.write(data, (err) => (err ? reject(err) : resolve())));
}

function end(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

async function readBack(repository: Repository): Promise<Buffer> {
  const reader = await ArchiveReader.open(await repository.openArchive(NAME), { threads: 0 });
  try {
    return await collect(reader.open('t'));
  } finally {
    await reader.close();
  }
}

/** A new, empty local repository. */
async function freshRepository(): Promise<{ folder: string; repository: Repository }> {
  const folder = join(dir, `repo-${++count}`);
  return { folder, repository: await openRepository(folder) };
}

describe('two writers of one local archive name', () => {
  it('a second writer is refused while the first writes, even after the claim was removed by hand', async () => {
    const { folder, repository } = await freshRepository();
    const first = await startWriter(repository);
    const data = makeBytes('random', 1, 2 * PART);
    await write(first.stream, data.subarray(0, PART));
    await rm(join(folder, `${NAME}.lock`));

    const second = repository.createArchive(NAME);
    expect(await codeOf(second)).toBe('exists');
    await expect(second).rejects.toThrow(/is being written by another backup .*\.partial exists/);

    // The first writer's file was not touched: it finishes and reads back whole.
    await write(first.stream, data.subarray(PART));
    await end(first.stream);
    await first.writer.finish(manifestInput());
    expect((await readBack(repository)).equals(data)).toBe(true);
    expect(await readdir(folder)).toEqual([NAME]);
  });

  it('a writer whose partial file was replaced by another writer publishes nothing, and leaves the other alone', async () => {
    const { folder, repository } = await freshRepository();
    const first = await startWriter(repository);
    const firstData = makeBytes('random', 2, 2 * PART);
    await write(first.stream, firstData.subarray(0, PART));
    // Both of the first writer's files removed by hand: a second writer claims the name afresh.
    await rm(join(folder, `${NAME}.lock`));
    await rm(join(folder, `${NAME}.partial`));
    const second = await startWriter(repository);
    const secondData = makeBytes('random', 3, PART + 1000);
    await write(second.stream, secondData.subarray(0, PART));
    const secondPartial = await stat(join(folder, `${NAME}.partial`));
    const secondLock = await stat(join(folder, `${NAME}.lock`));

    // The first writer goes on writing into its own (now nameless) file, and fails at the end.
    await write(first.stream, firstData.subarray(PART));
    await end(first.stream);
    expect(await codeOf(first.writer.finish(manifestInput()))).toBe('partial-lost');
    expect(await readdir(folder)).toEqual([`${NAME}.lock`, `${NAME}.partial`]);
    // The second writer's partial and claim are still there, still its own.
    expect((await stat(join(folder, `${NAME}.partial`))).ino).toBe(secondPartial.ino);
    expect((await stat(join(folder, `${NAME}.lock`))).ino).toBe(secondLock.ino);

    await write(second.stream, secondData.subarray(PART));
    await end(second.stream);
    await second.writer.finish(manifestInput());
    expect((await readBack(repository)).equals(secondData)).toBe(true);
    expect(await readdir(folder)).toEqual([NAME]);
  });

  it("an aborted writer whose partial was replaced removes only its own files, not the other writer's", async () => {
    const { folder, repository } = await freshRepository();
    const first = await startWriter(repository);
    await write(first.stream, makeBytes('random', 4, PART));
    await rm(join(folder, `${NAME}.lock`));
    await rm(join(folder, `${NAME}.partial`));
    const second = await startWriter(repository);
    const secondData = makeBytes('random', 5, 1000);

    await first.writer.abort();
    first.stream.destroy();
    expect(await readdir(folder)).toEqual([`${NAME}.lock`, `${NAME}.partial`]);

    await write(second.stream, secondData);
    await end(second.stream);
    await second.writer.finish(manifestInput());
    expect((await readBack(repository)).equals(secondData)).toBe(true);
  });
});
