import { constants as fsConstants } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ByteSink } from '../archive/byte-sink.js';
import { StowageError } from '../errors.js';

/**
 * Writes an archive to `PATH.partial` (mode 0600), then fsyncs and renames it to
 * `PATH` on commit, and fsyncs the folder so the rename survives a crash. A crash
 * or abort leaves at most a `.partial` file, never something that looks finished.
 */
export class LocalFileSink implements ByteSink {
  /** write() resolves only once the bytes are in the file. */
  readonly releasesChunks = true;
  private constructor(
    private readonly handle: FileHandle,
    private readonly finalPath: string,
    private readonly partialPath: string,
  ) {}

  get location(): string {
    return this.finalPath;
  }

  static async create(path: string, options: { overwrite?: boolean } = {}): Promise<LocalFileSink> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
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
      return new LocalFileSink(handle, path, partialPath);
    } catch (err) {
      throw fsError(err, partialPath);
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    try {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await this.handle.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    } catch (err) {
      throw fsError(err, this.partialPath);
    }
  }

  async commit(): Promise<void> {
    try {
      await this.handle.sync();
      await this.handle.close();
      await rename(this.partialPath, this.finalPath);
      await syncDirectory(dirname(this.finalPath));
    } catch (err) {
      await rm(this.partialPath, { force: true });
      throw fsError(err, this.finalPath);
    }
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => {});
    await rm(this.partialPath, { force: true });
  }
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
