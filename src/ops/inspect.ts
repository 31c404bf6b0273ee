import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import { openArchive } from './open-archive.js';

export interface InspectResult {
  archive: string;
  manifest: Manifest;
}

/** Reads an archive's manifest from its tail, without reading any data frame. */
export async function inspect(archive: string, options: { encryption?: KeySource } = {}): Promise<InspectResult> {
  const reader = await openArchive(archive, { encryption: options.encryption, threads: 0 });
  try {
    return { archive, manifest: reader.manifest };
  } finally {
    await reader.close();
  }
}
