import type { ByteSource } from '../archive/byte-source.js';
import type { KeySource } from '../archive/keys.js';
import { ArchiveReader } from '../archive/reader.js';
import { openArchiveSource } from '../store/destination.js';
import type { S3Options } from '../store/s3-client.js';

/** Opens an archive (local path or `s3://bucket/prefix/NAME.stow`) for reading; the caller closes the reader. */
export async function openArchive(
  path: string,
  options: {
    encryption?: KeySource;
    threads?: number;
    s3?: S3Options;
    prefetch?: number;
    /** Wraps the opened source (the stall watchdog counts its reads). */
    watch?: (source: ByteSource) => ByteSource;
  } = {},
): Promise<ArchiveReader> {
  const opened = await openArchiveSource(path, { s3: options.s3 });
  const source = options.watch ? options.watch(opened) : opened;
  return ArchiveReader.open(source, {
    encryption: options.encryption,
    threads: options.threads,
    ...(options.prefetch ? { prefetch: options.prefetch } : {}),
  });
}
