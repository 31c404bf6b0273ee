import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import type { StoreOptions } from '../store/registry.js';
import { type ArchiveInput, openArchive } from './open-archive.js';

export interface InspectResult {
  archive: string;
  manifest: Manifest;
  /** The archive file's size, header and manifest included. */
  bytes: number;
}

/** Reads an archive's manifest from its tail, without reading any data frame (`-`: the archive on stdin). */
export async function inspect(
  archive: string,
  options: { encryption?: KeySource; stores?: StoreOptions; stdin?: ArchiveInput; signal?: AbortSignal } = {},
): Promise<InspectResult> {
  const reader = await openArchive(archive, { ...options, threads: 0 });
  try {
    return { archive, manifest: reader.manifest, bytes: reader.archiveBytes };
  } finally {
    await reader.close();
  }
}
