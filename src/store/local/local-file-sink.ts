import { constants as fsConstants } from 'node:fs';
import { type FileHandle, link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ByteSink } from '../../archive/byte-sink.js';
import { StowageError } from '../../errors.js';
import { ownClaim } from '../claim.js';

/**
 * Bytes gathered before one write to the file. Compressed frames are small
 * (a 2 MiB frame of table data is often 200 KiB): written one by one, each is
 * a trip to the thread pool and back, and waking threads on other cores costs
 * measurable CPU on a small machine. Gathered, a few dozen writes do.
 */
const GATHER_BYTES = 4 * 1024 * 1024;

/**
 * Written bytes after which the sink starts an fdatasync in the background.
 * Left to the end, the commit's fsync writes the whole archive out while the
 * backup waits; started along the way, it finds little left to do.
 */
const SYNC_EVERY_BYTES = 32 * 1024 * 1024;

/**
 * Writes an archive to `PATH.partial` (mode 0600), then fsyncs and renames it to
 * `PATH` on commit, and fsyncs the folder so the rename survives a crash. A crash
 * or abort leaves at most a `.partial` file, never something that looks finished.
 *
 * With `exclusive`, the name is first claimed by creating `PATH.lock` (O_EXCL),
 * removed again on commit or abort: two backups that generate the same name in
 * the same second would otherwise both write into one `.partial` and publish a
 * mix of the two. The claim is a file of its own, not an exclusive open of the
 * `.partial`, so that a `.partial` left by a crash does not block the name.
 */
export class LocalFileSink implements ByteSink {
  /** write() resolves once the bytes are in the file or copied into the gathering buffer. */
  readonly releasesChunks = true;
  private gathered: Buffer | undefined;
  private filled = 0;
  private unsynced = 0;
  private syncing: Promise<void> | undefined;
  private syncError: unknown;
  private constructor(
    private readonly handle: FileHandle,
    private readonly finalPath: string,
    private readonly partialPath: string,
    private readonly lockPath: string | undefined,
    private readonly overwrite: boolean,
  ) {}

  get location(): string {
    return this.finalPath;
  }

  static async create(
    path: string,
    options: { overwrite?: boolean; exclusive?: boolean } = {},
  ): Promise<LocalFileSink> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const lockPath = options.exclusive ? await claim(path) : undefined;
    try {
      return await LocalFileSink.open(path, options, lockPath);
    } catch (err) {
      if (lockPath) await rm(lockPath, { force: true });
      throw err;
    }
  }

  private static async open(
    path: string,
    options: { overwrite?: boolean },
    lockPath: string | undefined,
  ): Promise<LocalFileSink> {
    if (!options.overwrite) {
      const exists = await open(path, 'r').then(
        async (h) => {
          await h.close();
          return true;
        },
        () => false,
      );
      if (exists) {
        throw new StowageError(
          'exists',
          `archive already exists: ${path}`,
          'choose another name or remove the old one',
        );
      }
    }
    const partialPath = `${path}.partial`;
    try {
      const handle = await open(
        partialPath,
        fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC,
        0o600,
      );
      return new LocalFileSink(handle, path, partialPath, lockPath, !!options.overwrite);
    } catch (err) {
      throw fsError(err, partialPath);
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.filled + chunk.length > GATHER_BYTES) await this.flush();
    if (chunk.length >= GATHER_BYTES) {
      await this.writeOut(chunk);
      return;
    }
    this.gathered ??= Buffer.allocUnsafeSlow(GATHER_BYTES);
    this.gathered.set(chunk, this.filled);
    this.filled += chunk.length;
  }

  private async flush(): Promise<void> {
    if (this.filled === 0 || !this.gathered) return;
    const length = this.filled;
    this.filled = 0;
    await this.writeOut(this.gathered.subarray(0, length));
  }

  private syncInBackground(): void {
    if (this.unsynced >= SYNC_EVERY_BYTES && !this.syncing) {
      this.unsynced = 0;
      // Not awaited: writing goes on meanwhile. A failure is kept for commit, which must not succeed after it.
      this.syncing = this.handle.datasync().then(
        () => {
          this.syncing = undefined;
        },
        (err: unknown) => {
          this.syncError ??= err;
          this.syncing = undefined;
        },
      );
    }
  }

  private async writeOut(bytes: Uint8Array): Promise<void> {
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
    } catch (err) {
      throw fsError(err, this.partialPath);
    }
    this.unsynced += bytes.length;
    this.syncInBackground();
  }

  async commit(): Promise<void> {
    try {
      await this.flush();
      await this.syncing;
      if (this.syncError) throw this.syncError;
      await this.handle.sync();
      await this.handle.close();
      await this.publish();
      await syncDirectory(dirname(this.finalPath));
    } catch (err) {
      await rm(this.partialPath, { force: true });
      throw err instanceof StowageError ? err : fsError(err, this.finalPath);
    } finally {
      await this.release();
    }
  }

  /**
   * Gives the finished file its name. Unless asked to overwrite, a hard link
   * publishes it only if the name is still free: a rename would silently
   * replace an archive another backup published meanwhile under the same name.
   */
  private async publish(): Promise<void> {
    if (this.overwrite) {
      await rename(this.partialPath, this.finalPath);
      return;
    }
    try {
      await link(this.partialPath, this.finalPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      if (code === 'EEXIST') {
        throw new StowageError(
          'exists',
          `archive already exists: ${this.finalPath} (another backup finished under this name first; this one was not stored)`,
          'run the backup again; it gets another name',
        );
      }
      // File systems without hard links: fall back to the rename, after one more look.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
      if (await exists(this.finalPath))
        throw new StowageError('exists', `archive already exists: ${this.finalPath}`, 'choose another name');
      await rename(this.partialPath, this.finalPath);
      return;
    }
    await rm(this.partialPath, { force: true });
  }

  async abort(): Promise<void> {
    await this.syncing;
    await this.handle.close().catch(() => {});
    await rm(this.partialPath, { force: true });
    await this.release();
  }

  private async release(): Promise<void> {
    if (this.lockPath) await rm(this.lockPath, { force: true });
  }
}

/**
 * Claims `path` for one writer: creates `PATH.lock` holding this process's pid
 * and host (so a killed backup's leftovers can be told from a running one's),
 * or fails with `exists` when another writer holds it.
 */
async function claim(path: string): Promise<string> {
  const lockPath = `${path}.lock`;
  try {
    const handle = await open(
      lockPath,
      fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
      0o600,
    );
    try {
      await handle.writeFile(JSON.stringify(ownClaim()));
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'EEXIST') {
      throw new StowageError(
        'exists',
        `archive ${path} is being written by another backup (${lockPath} exists)`,
        'choose another name, or remove the .lock file if no backup is running',
      );
    }
    // Created but not written (disk full): an empty claim would block the name until judged stale.
    await rm(lockPath, { force: true }).catch(() => {});
    throw fsError(err, lockPath);
  }
  return lockPath;
}

async function exists(path: string): Promise<boolean> {
  return open(path, 'r').then(
    async (h) => {
      await h.close();
      return true;
    },
    () => false,
  );
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Turns file-system errors into one-line messages naming what to do. */
export function fsError(err: unknown, path: string): Error {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOSPC':
      return new StowageError(
        'disk-full',
        `no space left on device writing ${path}`,
        'free space or choose another destination',
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
      return new StowageError('permission', `permission denied: ${path}`, 'check the folder permissions', {
        cause: err,
      });
    case 'ENOENT':
      return new StowageError('not-found', `no such file or folder: ${path}`, 'check the path', {
        cause: err,
      });
    case 'EDQUOT':
      return new StowageError(
        'disk-full',
        `disk quota exceeded writing ${path}`,
        'free space or raise the quota',
        { cause: err },
      );
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}
