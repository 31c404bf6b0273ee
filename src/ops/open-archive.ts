import type { ByteSource } from '../archive/byte-source.js';
import type { KeySource } from '../archive/keys.js';
import { ArchiveReader } from '../archive/reader.js';
import { openArchiveSource } from '../store/destination.js';
import type { StoreOptions } from '../store/registry.js';
import { spoolToTemporaryFile } from '../store/stdin-spool.js';

/** The archive argument that means "read the archive from standard input". */
export const STDIN_ARCHIVE = '-';

/** Where `-` reads from: the process's stdin unless given (tests, embedding programs). */
export type ArchiveInput = AsyncIterable<Buffer | string> & { isTTY?: boolean };

/**
 * Opens an archive (local path, `s3://bucket/prefix/NAME.stow`, or `-` for
 * stdin, received whole into a private temporary file first) for reading; the
 * caller closes the reader.
 */
export async function openArchive(
  path: string,
  options: {
    encryption?: KeySource;
    threads?: number;
    /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
    stores?: StoreOptions;
    prefetch?: number;
    stdin?: ArchiveInput;
    signal?: AbortSignal;
    /** Wraps the opened source (the stall watchdog counts its reads). */
    watch?: (source: ByteSource) => ByteSource;
  } = {},
): Promise<ArchiveReader> {
  // A pipe is received whole before the watchdog sees the source: a slow upstream is not a stall.
  const opened =
    path === STDIN_ARCHIVE
      ? await spoolToTemporaryFile(options.stdin ?? process.stdin, { signal: options.signal })
      : await openArchiveSource(path, { stores: options.stores });
  const source = options.watch ? options.watch(opened) : opened;
  return ArchiveReader.open(source, {
    encryption: options.encryption,
    threads: options.threads,
    ...(options.prefetch ? { prefetch: options.prefetch } : {}),
  });
}
