import type { Encryption } from '../archive/archive-keys.js';
import type { Manifest } from '../archive/manifest.js';
import type { StoreOptions } from '../store/registry.js';
import { ArchiveHandle, type ArchiveInput } from './open-archive.js';

export interface InspectResult {
  archive: string;
  manifest: Manifest;
  /** The archive file's size, header and manifest included. */
  bytes: number;
}

/** Reads an archive's manifest from its tail, without reading any data frame (`-`: the archive on stdin). */
export async function inspect(
  archive: string,
  options: {
    encryption?: Encryption;
    stores?: StoreOptions;
    stdin?: ArchiveInput;
    signal?: AbortSignal;
  } = {},
): Promise<InspectResult> {
  const handle = await ArchiveHandle.open(archive, { ...options, threads: 0 });
  try {
    return { archive, manifest: handle.manifest, bytes: handle.reader.archiveBytes };
  } finally {
    await handle.close();
  }
}
