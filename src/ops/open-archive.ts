import type { KeySource } from '../archive/keys.js';
import { ArchiveReader } from '../archive/reader.js';
import { openArchiveSource } from '../store/destination.js';

/** Opens an archive by path for reading; the caller closes the reader. */
export async function openArchive(path: string, options: { encryption?: KeySource; threads?: number } = {}): Promise<ArchiveReader> {
  const source = await openArchiveSource(path);
  return ArchiveReader.open(source, { encryption: options.encryption, threads: options.threads });
}
