// The end of a local archive's commit: the folder's fsync makes the published name durable, and
// the commit is not done before it; closing the file and letting go of the claim (NAME.stow.lock)
// need not wait for it, and no longer do (issue 14: each was one more trip to the thread pool at the
// end of every backup).
import * as realFs from 'node:fs/promises';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalFileSink } from '../../src/store/local/local-file-sink.js';

/** The folder whose fsync the test holds back, and what lets it go on. */
const held: { folder?: string; release?: () => void; started?: boolean } = {};
/** The same for the archive's own file (its `.partial`). */
const heldFile: { path?: string; release?: () => void; started?: boolean } = {};

/** Makes `handle.sync()` wait for the test's release, noting that it started. */
function holdSync(handle: { sync: () => Promise<void> }, hold: { release?: () => void; started?: boolean }) {
  const sync = handle.sync.bind(handle);
  handle.sync = async () => {
    hold.started = true;
    await new Promise<void>((resolve) => {
      hold.release = resolve;
    });
    return sync();
  };
}

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof real.open>) => {
    const handle = await real.open(...args);
    if (args[0] === held.folder && args[1] === 'r') holdSync(handle, held);
    if (args[0] === heldFile.path) holdSync(handle, heldFile);
    return handle;
  };
  return { ...real, default: { ...real, open }, open };
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-commit-order-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('committing a local archive', () => {
  it('lets go of its claim while the folder is synced, and is done only after that sync', async () => {
    const path = join(dir, 'shop.stow');
    held.folder = dir;
    const sink = await LocalFileSink.create(path, { exclusive: true });
    await sink.write(Buffer.from('archive bytes'));
    let committed = false;
    const committing = sink.commit().then(() => {
      committed = true;
    });
    // Wait (bounded) for the folder's fsync to start and the claim to go while it is held.
    const until = Date.now() + 3_000;
    let claimGoneDuringSync = false;
    while (Date.now() < until) {
      if (held.started && !(await exists(`${path}.lock`))) {
        claimGoneDuringSync = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(held.started).toBe(true);
    expect(committed).toBe(false);
    held.release?.();
    await committing;
    expect(claimGoneDuringSync).toBe(true);
    expect(await exists(path)).toBe(true);
    expect(await exists(`${path}.partial`)).toBe(false);
    expect(await exists(`${path}.lock`)).toBe(false);
    expect(await realFs.readFile(path, 'utf8')).toBe('archive bytes');
  });

  it('publishes the name only after the fsync of the file, though it checks its .partial meanwhile', async () => {
    const path = join(dir, 'orders.stow');
    held.folder = undefined;
    heldFile.path = `${path}.partial`;
    const sink = await LocalFileSink.create(path, { exclusive: true });
    await sink.write(Buffer.from('order bytes'));
    const committing = sink.commit();
    const until = Date.now() + 3_000;
    while (!heldFile.started && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heldFile.started).toBe(true);
    // The identity check of `.partial` runs beside the fsync: give it time, then look for the name.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await exists(path)).toBe(false);
    expect(await exists(`${path}.partial`)).toBe(true);
    heldFile.release?.();
    await committing;
    expect(await exists(path)).toBe(true);
    expect(await exists(`${path}.partial`)).toBe(false);
    expect(await exists(`${path}.lock`)).toBe(false);
    expect(await realFs.readFile(path, 'utf8')).toBe('order bytes');
  });
});
