import type { Encryption } from '../archive/archive-keys.js';
import { type LeftoverSummary, summarizeLeftovers } from '../catalog/leftovers.js';
import { listArchives } from '../catalog/list.js';
import { safeName } from '../catalog/naming.js';
import { forgetRunRecords, readAllRunRecords } from '../catalog/run-record.js';
import { computeStatus, type DatabaseStatus, type StatusOptions } from '../catalog/status.js';
import { openRepository } from '../store/open-repository.js';
import type { StoreOptions } from '../store/registry.js';

export interface RepositoryStatusOptions extends StatusOptions {
  /** A local folder or `s3://bucket/prefix`. */
  repository: string;
  database?: string;
  encryption?: Encryption;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
}

export interface RepositoryStatus {
  repository: string;
  /** True when every database is healthy (and there is at least one). */
  ok: boolean;
  databases: DatabaseStatus[];
  /** What killed backups left behind (reported, not a failure: the next backup or prune removes the stale ones). */
  leftovers: LeftoverSummary;
  checkedAt: string;
}

/**
 * The health of a repository: per database, the newest backup, its age,
 * size and verification, and the last run's outcome. `ok` is false when any
 * database's newest backup is older than `maxAgeMs` (default 25 h), its last
 * run failed, its newest archive failed verification, or the repository holds
 * no backup at all.
 */
export async function status(options: RepositoryStatusOptions): Promise<RepositoryStatus> {
  const repository = await openRepository(options.repository, { stores: options.stores });
  try {
    const archives = await listArchives(repository, {
      encryption: options.encryption,
      database: options.database,
    });
    let runs = await readAllRunRecords(repository);
    if (options.database) {
      const key = safeName(options.database);
      runs = new Map([...runs].filter(([db]) => db === key));
    }
    const databases = computeStatus(archives, runs, options);
    const leftovers = await summarizeLeftovers(repository);
    const now = options.now ?? new Date();
    return {
      repository: repository.url,
      ok: databases.length > 0 && databases.every((d) => d.ok),
      databases,
      leftovers,
      checkedAt: now.toISOString(),
    };
  } finally {
    await repository.close();
  }
}

/**
 * Clears a database's run records (in the repository and this machine's
 * fallback), so `status` stops reporting a database that is no longer backed
 * up, or a failure recorded for one that never existed. Archives stay.
 *
 * @returns whether any record was found.
 */
export async function forgetDatabase(options: {
  repository: string;
  database: string;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
}): Promise<boolean> {
  const repository = await openRepository(options.repository, { stores: options.stores });
  try {
    return await forgetRunRecords(repository, options.database);
  } finally {
    await repository.close();
  }
}
