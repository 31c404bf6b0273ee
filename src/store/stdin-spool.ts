import { constants } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ByteSource } from '../archive/byte-source.js';
import { StowageError, UsageError } from '../errors.js';
import { readAt } from './local/local-file-source.js';

/** What `stowage restore -` calls the archive in messages. */
export const STDIN_LOCATION = 'stdin';

/** Free space left to everything else in the temporary folder while spooling. */
const KEEP_FREE_BYTES = 64 * 1024 * 1024;
/** How often (bytes written) free space is checked again. */
const CHECK_EVERY_BYTES = 16 * 1024 * 1024;

export interface SpoolOptions {
  /** The folder for the temporary file. Default: the system's (`$TMPDIR`, else /tmp). */
  directory?: string;
  /** Free space to leave to everything else in that folder. Default 64 MiB. */
  keepFreeBytes?: number;
  signal?: AbortSignal;
}

/**
 * Copies an archive arriving on a pipe into a private temporary file and
 * gives random access to it. Reading an archive needs its footer first (the
 * manifest and the stream index are at the end), and a restore must know the
 * archive is whole before it writes anything: a backup that died mid-pipe
 * leaves no footer, and streaming it straight into a database would leave a
 * half-restored target. So the whole archive is received first.
 *
 * The file is created 0600 in a 0700 folder and unlinked at once: it lives
 * only as long as the open handle, so nothing is left behind even when the
 * process is killed. Free space is checked as it grows, so a big archive stops
 * with a clear error instead of filling the disk.
 */
export async function spoolToTemporaryFile(
  input: AsyncIterable<Buffer | string> & { isTTY?: boolean },
  options: SpoolOptions = {},
): Promise<ByteSource> {
  if (input.isTTY) {
    throw new UsageError(
      'stdin is a terminal, not an archive',
      'pipe one in: stowage backup SOURCE --to - | stowage restore - TARGET',
    );
  }
  const base = options.directory ?? tmpdir();
  const folder = await mkdtemp(join(base, 'stowage-stdin-')).catch((err: NodeJS.ErrnoException) => {
    throw new StowageError(
      err.code === 'ENOENT' ? 'not-found' : 'permission',
      `cannot create a temporary file in ${base} for the archive read from stdin: ${err.code ?? err.message}`,
      'set TMPDIR to a writable folder with room for the whole archive',
    );
  });
  const path = join(folder, 'archive.stow');
  let handle: FileHandle | undefined;
  let unlinked = false;
  try {
    handle = await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o600);
    // Unlinked while open (POSIX): the data goes away with the handle, whatever ends the process.
    unlinked = await rm(folder, { recursive: true, force: true }).then(
      () => true,
      () => false,
    );
    let size = 0;
    let nextCheck = 0;
    for await (const piece of input) {
      options.signal?.throwIfAborted();
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      if (size + chunk.length >= nextCheck) {
        await ensureRoom(base, chunk.length, size, options.keepFreeBytes ?? KEEP_FREE_BYTES);
        nextCheck = size + CHECK_EVERY_BYTES;
      }
      let written = 0;
      while (written < chunk.length) {
        const { bytesWritten } = await handle
          .write(chunk, written, chunk.length - written, size + written)
          .catch((err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOSPC') throw noRoom(base, size + written);
            throw err;
          });
        written += bytesWritten;
      }
      size += chunk.length;
    }
    if (size === 0) {
      throw new UsageError(
        'nothing arrived on stdin: no archive to read',
        'pipe one in: stowage backup SOURCE --to - | stowage restore - TARGET',
      );
    }
    return new SpooledSource(handle, size, unlinked ? undefined : folder);
  } catch (err) {
    await handle?.close().catch(() => {});
    if (!unlinked) await rm(folder, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
}

async function ensureRoom(
  folder: string,
  incoming: number,
  spooled: number,
  keepFree: number,
): Promise<void> {
  const fs = await statfs(folder).catch(() => undefined);
  if (!fs) return; // Unknown: ENOSPC on write still stops it cleanly.
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (free - incoming < keepFree) throw noRoom(folder, spooled, free);
}

function noRoom(folder: string, spooled: number, free?: number): StowageError {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return new StowageError(
    'disk-full',
    `not enough room in ${folder} to hold the archive read from stdin (${mib(spooled)} received${free === undefined ? '' : `, ${mib(free)} free`}); nothing was restored`,
    'set TMPDIR to a folder with room for the whole archive, or restore from a file',
  );
}

/** Random access to the spooled copy; closing it frees the space. */
class SpooledSource implements ByteSource {
  readonly location = STDIN_LOCATION;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    /** The folder to remove on close, when it could not be unlinked while open. */
    private readonly leftover: string | undefined,
  ) {}

  read(offset: number, length: number): Promise<Buffer> {
    return readAt(this.handle, offset, length);
  }

  async close(): Promise<void> {
    await this.handle.close();
    if (this.leftover) await rm(this.leftover, { recursive: true, force: true });
  }
}
