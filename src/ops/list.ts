import type { Encryption } from '../archive/archive-keys.js';
import { type ChainInfo, listChains } from '../catalog/chains.js';
import { type LeftoverSummary, summarizeLeftovers } from '../catalog/leftovers.js';
import { type ArchiveInfo, listArchives } from '../catalog/list.js';
import { openRepository } from '../store/open-repository.js';
import type { StoreOptions } from '../store/registry.js';

export interface ListOptions {
  /** A local folder or `s3://bucket/prefix`. */
  repository: string;
  /** Only this database's archives. */
  database?: string;
  /** Key to read encrypted manifests; without it they are listed from their names. */
  encryption?: Encryption;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
}

/**
 * Lists a repository's archives, oldest first, with what each manifest says
 * (engine, database, kind, size, duration, note) and the latest verification
 * result. Reads only each archive's tail.
 */
export async function list(options: ListOptions): Promise<ArchiveInfo[]> {
  const repository = await openRepository(options.repository, { stores: options.stores });
  try {
    return await listArchives(repository, { encryption: options.encryption, database: options.database });
  } finally {
    await repository.close();
  }
}

/**
 * Like {@link list}, plus the continuous backup chains (base, segments,
 * restorable window), plus what killed backups left behind (unfinished
 * `.partial` files and their claims, unfinished S3 multipart uploads) with
 * their sizes: space the archive list alone does not account for.
 */
export async function listRepository(
  options: ListOptions,
): Promise<{ archives: ArchiveInfo[]; chains: ChainInfo[]; leftovers: LeftoverSummary }> {
  const repository = await openRepository(options.repository, { stores: options.stores });
  try {
    const archives = await listArchives(repository, {
      encryption: options.encryption,
      database: options.database,
    });
    const chains = await listChains(repository, {
      encryption: options.encryption,
      ...(options.database ? { database: options.database } : {}),
      archives,
    });
    return { archives, chains, leftovers: await summarizeLeftovers(repository) };
  } finally {
    await repository.close();
  }
}
