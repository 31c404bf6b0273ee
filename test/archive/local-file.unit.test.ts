import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ByteSink } from '../../src/archive/byte-sink.js';
import { ArchiveReader } from '../../src/archive/reader.js';
import { ArchiveWriter } from '../../src/archive/writer.js';
import { StowageError } from '../../src/errors.js';
import { LocalFileSink } from '../../src/store/local/local-file-sink.js';
import { LocalFileSource } from '../../src/store/local/local-file-source.js';
import { collect, makeBytes, manifestInput } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-local-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function writeTo(sink: ByteSink, data: Buffer) {
  const writer = await ArchiveWriter.create(sink, { threads: 0, frameSize: 1024 });
  const w = writer.open('t');
  w.on('error', () => {}); // reported through the end callback
  await new Promise<void>((resolve, reject) =>
    w.end(data, (err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return writer.finish(manifestInput());
}

describe('LocalFileSink', () => {
  it('writes NAME.partial, then renames on commit: file 0600, created folders 0700', async () => {
    const path = join(dir, 'new', 'deeper', 'backup.stow');
    const data = makeBytes('text', 1, 10_000);
    const sink = await LocalFileSink.create(path);
    expect(sink.location).toBe(path);
    expect(await exists(`${path}.partial`)).toBe(true);
    expect(await exists(path)).toBe(false);
    const result = await writeTo(sink, data);
    expect(await exists(`${path}.partial`)).toBe(false);
    expect(await mode(path)).toBe(0o600);
    expect(await mode(join(dir, 'new'))).toBe(0o700);
    expect(await mode(join(dir, 'new', 'deeper'))).toBe(0o700);
    expect((await stat(path)).size).toBe(result.bytes);
    expect(result.location).toBe(path);
    const reader = await ArchiveReader.open(await LocalFileSource.open(path), { threads: 0 });
    expect((await collect(reader.open('t'))).equals(data)).toBe(true);
    await reader.close();
  });

  it('refuses to overwrite an existing archive unless asked', async () => {
    const path = join(dir, 'exists.stow');
    await writeFile(path, 'old');
    const err = await LocalFileSink.create(path).catch((e) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect(err.message).toMatch(/already exists/);
    expect(await readFile(path, 'utf8')).toBe('old');
    await writeTo(await LocalFileSink.create(path, { overwrite: true }), Buffer.from('new'));
    expect((await readFile(path)).subarray(0, 4).toString('latin1')).toBe('\x89STO');
  });

  it('abort leaves nothing behind', async () => {
    const path = join(dir, 'aborted', 'a.stow');
    const sink = await LocalFileSink.create(path);
    const writer = await ArchiveWriter.create(sink, { threads: 0, frameSize: 1024 });
    const w = writer.open('t');
    w.on('error', () => {}); // pending writes fail with 'archive aborted'
    w.write(makeBytes('random', 2, 50_000));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writer.abort();
    w.destroy();
    expect(await readdir(join(dir, 'aborted'))).toEqual([]);
  });

  it('a failed write leaves nothing at the final path and no partial file', async () => {
    const path = join(dir, 'failed', 'f.stow');
    const sink = await LocalFileSink.create(path);
    const writer = await ArchiveWriter.create(sink, { threads: 0, frameSize: 1024 });
    // Pull the file out from under the sink, as a vanished disk would: every later write fails with EBADF.
    await (sink as unknown as { handle: { close(): Promise<void> } }).handle.close();
    const w = writer.open('t');
    const written = new Promise<void>((resolve, reject) => {
      w.on('error', () => {}); // reported through the end callback below
      w.end(makeBytes('random', 3, 20_000), (err?: Error | null) => (err ? reject(err) : resolve()));
    });
    // 20 kB stay in the sink's gathering buffer: the failure shows when they go to the file, at commit.
    await written;
    await expect(writer.finish(manifestInput())).rejects.toMatchObject({ code: 'EBADF' });
    expect(await readdir(join(dir, 'failed'))).toEqual([]);
  });

  it('a failed write of more than the gathering buffer fails the stream itself', async () => {
    const path = join(dir, 'failed-big', 'f.stow');
    const sink = await LocalFileSink.create(path);
    const writer = await ArchiveWriter.create(sink, {
      threads: 0,
      frameSize: 1024 * 1024,
      compression: 'none',
    });
    await (sink as unknown as { handle: { close(): Promise<void> } }).handle.close();
    const w = writer.open('t');
    const written = new Promise<void>((resolve, reject) => {
      w.on('error', () => {});
      w.end(makeBytes('random', 4, 9 * 1024 * 1024), (err?: Error | null) => (err ? reject(err) : resolve()));
    });
    await expect(written).rejects.toMatchObject({ code: 'EBADF' });
    await expect(writer.finish(manifestInput())).rejects.toThrow();
    expect(await readdir(join(dir, 'failed-big'))).toEqual([]);
  });

  it('gathers small writes, passes big ones through, keeps their order, and is done with each chunk once write() resolves', async () => {
    const path = join(dir, 'gathered.bin');
    const sink = await LocalFileSink.create(path);
    const sizes = [10, 4 * 1024 * 1024 - 5, 100, 5 * 1024 * 1024, 7, 3000, 4 * 1024 * 1024];
    const expected: Buffer[] = [];
    for (const [i, size] of sizes.entries()) {
      const chunk = makeBytes('random', 10 + i, size);
      expected.push(Buffer.from(chunk));
      await sink.write(chunk);
      // The sink says it lets go of chunks (releasesChunks): scribbling over one now must not reach the file.
      chunk.fill(0xee);
    }
    expect(sink.releasesChunks).toBe(true);
    await sink.commit();
    expect((await readFile(path)).equals(Buffer.concat(expected))).toBe(true);
  });

  it('a failed commit (final path taken by a folder) removes the partial file', async () => {
    const path = join(dir, 'taken.stow');
    await mkdir(join(path, 'inside'), { recursive: true });
    const sink = await LocalFileSink.create(path, { overwrite: true });
    await expect(writeTo(sink, Buffer.from('x'))).rejects.toThrow();
    expect(await exists(`${path}.partial`)).toBe(false);
    expect((await stat(path)).isDirectory()).toBe(true);
  });

  it('a folder that cannot be written gives a one-line permission error', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere; nothing to test
    const ro = join(dir, 'readonly');
    await mkdir(ro, { mode: 0o500 });
    const err = await LocalFileSink.create(join(ro, 'x.stow')).catch((e) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect(err.message).toMatch(/permission denied/);
  });
});

describe('LocalFileSource', () => {
  it('a missing file and a folder are clear errors', async () => {
    const missing = await LocalFileSource.open(join(dir, 'nope.stow')).catch((e) => e);
    expect(missing).toBeInstanceOf(StowageError);
    expect(missing.message).toMatch(/no such file/);
    await expect(LocalFileSource.open(dir)).rejects.toThrow(/is a folder/);
  });

  it('reads short at the end of the file, never past it', async () => {
    const path = join(dir, 'short.bin');
    await writeFile(path, Buffer.from('0123456789'));
    const source = await LocalFileSource.open(path);
    expect(source.size).toBe(10);
    expect((await source.read(4, 3)).toString()).toBe('456');
    expect((await source.read(8, 10)).toString()).toBe('89');
    expect((await source.read(20, 10)).length).toBe(0);
    await source.close();
  });
});
