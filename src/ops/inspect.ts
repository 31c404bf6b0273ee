import type { KeySource } from '../archive/keys.js';
import type { Manifest } from '../archive/manifest.js';
import { type ChainInfo, listChains } from '../catalog/chains.js';
import { resolveArchiveRef } from '../store/open-repository.js';
import type { S3Options } from '../store/s3-client.js';
import { type ArchiveInput, openArchive, STDIN_ARCHIVE } from './open-archive.js';

export interface InspectResult {
  archive: string;
  manifest: Manifest;
  /** The archive file's size, header and manifest included. */
  bytes: number;
}

/** Reads an archive's manifest from its tail, without reading any data frame (`-`: the archive on stdin). */
export async function inspect(
  archive: string,
  options: { encryption?: KeySource; s3?: S3Options; stdin?: ArchiveInput; signal?: AbortSignal } = {},
): Promise<InspectResult> {
  const reader = await openArchive(archive, { ...options, threads: 0 });
  try {
    return { archive, manifest: reader.manifest, bytes: reader.archiveBytes };
  } finally {
    await reader.close();
  }
}

/**
 * The continuous backup chain an archive belongs to (its base or one of its
 * segments), as the archive's repository holds it: base, segments, window.
 * Undefined for an archive read from stdin or one that is not in a chain.
 */
export async function inspectChain(
  archive: string,
  manifest: Manifest,
  options: { encryption?: KeySource; s3?: S3Options } = {},
): Promise<ChainInfo | undefined> {
  if (!manifest.chain || archive === STDIN_ARCHIVE) return undefined;
  const { repository } = await resolveArchiveRef(archive, { s3: options.s3 });
  try {
    const chains = await listChains(repository, { encryption: options.encryption });
    return chains.find((c) => c.id === manifest.chain!.id);
  } finally {
    await repository.close();
  }
}
