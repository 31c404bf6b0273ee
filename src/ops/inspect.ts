import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import type { S3Options } from '../store/s3-client.js';
import { openArchive } from './open-archive.js';

export interface InspectResult {
  archive: string;
  manifest: Manifest;
}

/** Reads an archive's manifest from its tail, without reading any data frame. */
export async function inspect(
  archive: string,
  options: { encryption?: KeySource; s3?: S3Options } = {},
): Promise<InspectResult> {
  const reader = await openArchive(archive, { encryption: options.encryption, threads: 0, s3: options.s3 });
  try {
    return { archive, manifest: reader.manifest };
  } finally {
    await reader.close();
  }
}
