import type { Encryption } from '../archive/archive-keys.js';
import type { Manifest } from '../archive/manifest.js';
import { type ChainInfo, listChains } from '../catalog/chains.js';
import { resolveArchiveRef } from '../store/open-repository.js';
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

/**
 * The continuous backup chain an archive belongs to (its base or one of its
 * segments), as the archive's repository holds it: base, segments, window.
 * Undefined for an archive read from stdin or one that is not in a chain.
 */
export async function inspectChain(
  archive: string,
  manifest: Manifest,
  options: { encryption?: Encryption; stores?: StoreOptions } = {},
): Promise<ChainInfo | undefined> {
  if (!manifest.chain || archive === '-') return undefined;
  const { repository } = await resolveArchiveRef(archive, { stores: options.stores });
  try {
    const chains = await listChains(repository, { encryption: options.encryption });
    return chains.find((c) => c.id === manifest.chain!.id);
  } finally {
    await repository.close();
  }
}
