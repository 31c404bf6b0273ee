import { constants as fsConstants } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ByteSink } from '../../archive/byte-sink.js';
import { StowageError } from '../../errors.js';
import { judgeClaim, ownClaim } from '../claim.js';
import { makeFolder } from './make-folder.js';

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
 * mix of the two. The claim records who writes (see ../claim.ts), so that what
 * a killed backup left can be told from a running one and cleared.
 *
 * The claim is a file anyone can delete, so it is not the only guard: the
 * `.partial` itself is created exclusively (O_EXCL), so a second writer never
 * opens (and truncates) a file another one is writing, even when the claim was
 * removed by hand; and the sink remembers its file's identity (device and
 * inode) and, before publishing, checks that `PATH.partial` is still that file
 * (it could have been deleted and created afresh by another writer), then that
 * the published name is, so it never publishes bytes it did not write. Files
 * it cleans up (partial, claim) it removes only while they are still its own.
 */
export class LocalFileSink implements ByteSink {
  /** write() resolves once the bytes are in the file or copied into the gathering buffer. */
  readonly releasesChunks = true;
  private gathered: Buffer | undefined;
  private filled = 0;
  private unsynced = 0;
  private syncing: Promise<void> | undefined;
  private syncError: unknown;
  private released: Promise<void> | undefined;
  private constructor(
    private readonly handle: FileHandle,
    /** The `.partial` file's identity: the file this sink writes, whatever its name comes to point at. */
    private readonly file: FileIdentity,
    private readonly finalPath: string,
    private readonly partialPath: string,
    private readonly lock: Claim | undefined,
    private readonly overwrite: boolean,
  ) {}

  get location(): string {
    return this.finalPath;
  }

  static async create(
    path: string,
    options: { overwrite?: boolean; exclusive?: boolean } = {},
  ): Promise<LocalFileSink> {
    await makeFolder(dirname(path), 0o700);
    const lock = options.exclusive ? await claim(path) : undefined;
    try {
      return await LocalFileSink.open(path, options, lock);
    } catch (err) {
      if (lock) {
        await removeIfSame(lock.path, lock.file);
        await lock.handle.close().catch(() => {});
      }
      throw err;
    }
  }

  private static async open(
    path: string,
    options: { overwrite?: boolean },
    lock: Claim | undefined,
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
    const handle = await createPartial(path, partialPath);
    try {
      return new LocalFileSink(
        handle,
        identity(await handle.stat()),
        path,
        partialPath,
        lock,
        !!options.overwrite,
      );
    } catch (err) {
      await handle.close().catch(() => {});
      await rm(partialPath, { force: true });
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
      // The check that `.partial` is still this sink's file waits for the disk no more than the fsync
      // does: both run at once (one trip to the thread pool fewer while the backup waits). The link
      // comes only after both, and publish() checks the published name again after it.
      const [, partialNow] = await Promise.all([this.handle.sync(), identityOf(this.partialPath)]);
      // Published while the file is still open: the inode of an open file is not reused, so no file
      // created meanwhile can pass for this one in the identity checks.
      const linked = await this.publish(partialNow);
      // Published: the folder's fsync makes the name durable, and closing the file, removing the
      // `.partial` name (a second name of the published file) and letting go of the claim need not
      // wait for it, nor for each other (each a trip to the thread pool, a few ms at load). A crash
      // before the `.partial` name is gone leaves a leftover that `list` and `prune` clear.
      await Promise.all([
        this.handle.close(),
        syncDirectory(dirname(this.finalPath)),
        linked ? removeIfSame(this.partialPath, this.file) : undefined,
        this.release(),
      ]);
    } catch (err) {
      await removeIfSame(this.partialPath, this.file);
      await this.handle.close().catch(() => {});
      throw err instanceof StowageError ? err : fsError(err, this.finalPath);
    } finally {
      await this.release();
    }
  }

  /**
   * Gives the finished file its name. Unless asked to overwrite, a hard link
   * publishes it only if the name is still free: a rename would silently
   * replace an archive another backup published meanwhile under the same name.
   * `partialNow` is what `.partial` names now. Returns true when the file was
   * linked: its `.partial` name is then still there, for the caller to remove.
   */
  private async publish(partialNow: FileIdentity | undefined): Promise<boolean> {
    if (!sameFile(partialNow, this.file)) throw this.partialLost();
    if (this.overwrite) {
      await rename(this.partialPath, this.finalPath);
      if (!sameFile(await identityOf(this.finalPath), this.file)) throw this.partialLost();
      return false;
    }
    try {
      await link(this.partialPath, this.finalPath);
      // The name could have changed files between the check above and the link: then the new name
      // holds another writer's bytes, and is taken back at once.
      const published = await identityOf(this.finalPath);
      if (!sameFile(published, this.file)) {
        await removeIfSame(this.finalPath, published);
        throw this.partialLost();
      }
    } catch (err) {
      if (err instanceof StowageError) throw err;
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
      if (!sameFile(await identityOf(this.finalPath), this.file)) throw this.partialLost();
      return false;
    }
    return true;
  }

  /** This sink's `.partial` is gone or is another file now: what it wrote must not be published. */
  private partialLost(): StowageError {
    return new StowageError(
      'partial-lost',
      `${this.partialPath} was removed or replaced while this backup wrote it (another backup may be writing that name); this backup was not stored`,
      'run the backup again; never remove the .lock or .partial files of a backup that is running',
    );
  }

  async abort(): Promise<void> {
    await this.syncing;
    await removeIfSame(this.partialPath, this.file);
    await this.handle.close().catch(() => {});
    await this.release();
  }

  /** Removes and closes this writer's claim, once however often it is called. */
  private release(): Promise<void> {
    this.released ??= this.lock ? releaseClaim(this.lock) : Promise.resolve();
    return this.released;
  }
}

/**
 * This writer's claim file, kept open while the sink lives: the inode of an open file is not
 * reused, so a claim created by another writer after this one's was removed never has its identity.
 */
interface Claim {
  path: string;
  file: FileIdentity;
  handle: FileHandle;
}

async function releaseClaim(lock: Claim): Promise<void> {
  await removeIfSame(lock.path, lock.file);
  await lock.handle.close().catch(() => {});
}

/** A file's identity, whatever names point at it. */
interface FileIdentity {
  dev: number;
  ino: number;
}

function identity(s: { dev: number; ino: number }): FileIdentity {
  return { dev: s.dev, ino: s.ino };
}

/** The identity of the file `path` names now, or undefined when there is none. */
async function identityOf(path: string): Promise<FileIdentity | undefined> {
  return stat(path).then(identity, () => undefined);
}

function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return !!a && !!b && a.dev === b.dev && a.ino === b.ino;
}

/**
 * Removes `path` if it still names `file`: a sink cleans up its own partial and claim, never
 * another writer's that took the name after its own was removed by hand.
 */
async function removeIfSame(path: string, file: FileIdentity | undefined): Promise<void> {
  // unlink, not rm: rm stats and lstats the path before its unlink, two more trips to the thread pool.
  if (sameFile(await identityOf(path), file)) await unlink(path).catch(ignoreGone);
}

/** Something else removed the file first: what removing it was for is done. */
function ignoreGone(err: unknown): void {
  if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
}

/**
 * Creates the `.partial` file, never opening an existing one: a `.partial` whose claim is gone may
 * be another backup's, still being written (its `.lock` removed by hand). Such an unclaimed file
 * is judged as `list` and `prune` judge leftovers without an owner (../claim.ts): touched within
 * the stale period it may be in use and the name is refused (`exists`: a generated name moves on
 * to the next one); older, it is a leftover and is replaced by a new file (a new inode, so even a
 * writer still holding the old one open never writes into this sink's file; it fails at commit).
 */
async function createPartial(path: string, partialPath: string): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open(partialPath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code !== 'EEXIST') throw fsError(err, partialPath);
    }
    const left = await lstat(partialPath).catch(() => undefined);
    if (!left && attempt < 2) continue; // removed meanwhile: try again
    const verdict = left ? judgeClaim(undefined, left.mtime) : { stale: false, why: 'it keeps coming back' };
    if (!verdict.stale || attempt >= 2) {
      throw new StowageError(
        'exists',
        `archive ${path} is being written by another backup (${partialPath} exists without its .lock claim: ${verdict.why})`,
        `choose another name, or remove ${partialPath} if no backup is writing it`,
      );
    }
    await rm(partialPath, { force: true });
  }
}

/**
 * Claims `path` for one writer: creates `PATH.lock` holding this process's pid
 * and host (so a killed backup's leftovers can be told from a running one's),
 * or fails with `exists` when another writer holds it.
 */
async function claim(path: string): Promise<Claim> {
  const lockPath = `${path}.lock`;
  try {
    const handle = await open(
      lockPath,
      fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
      0o600,
    );
    try {
      await handle.writeFile(JSON.stringify(ownClaim()));
      return { path: lockPath, file: identity(await handle.stat()), handle };
    } catch (err) {
      await handle.close();
      throw err;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'EEXIST') {
      throw new StowageError(
        'exists',
        `archive ${path} is being written by another backup (${lockPath} exists)`,
        `choose another name, or remove ${lockPath} and ${path}.partial if no backup is running`,
      );
    }
    // Created but not written (disk full): an empty claim would block the name until judged stale.
    await rm(lockPath, { force: true }).catch(() => {});
    throw fsError(err, lockPath);
  }
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
    case 'ENOTDIR':
      return new StowageError(
        'not-a-folder',
        `not a folder: ${path} (part of the path is a file)`,
        'check the path: a repository is a folder, an archive path ends in .stow',
        { cause: err },
      );
    case 'EROFS':
      return new StowageError(
        'permission',
        `read-only file system: ${path}`,
        'choose a writable destination',
        {
          cause: err,
        },
      );
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
