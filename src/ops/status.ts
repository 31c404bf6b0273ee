import type { Encryption } from '../archive/archive-keys.js';
import { type ChainStatus, type ChainStatusOptions, computeChainStatus } from '../catalog/chain-status.js';
import { listChains } from '../catalog/chains.js';
import { type LeftoverSummary, summarizeLeftovers } from '../catalog/leftovers.js';
import { listArchives } from '../catalog/list.js';
import { safeName } from '../catalog/naming.js';
import { forgetRunRecords, readAllRunRecords } from '../catalog/run-record.js';
import { computeStatus, type DatabaseStatus, type StatusOptions } from '../catalog/status.js';
import { engineForUrl } from '../engines/registry.js';
import { redactUrl } from '../redact.js';
import { openRepository } from '../store/open-repository.js';
import type { StoreOptions } from '../store/registry.js';

export interface RepositoryStatusOptions extends StatusOptions, Omit<ChainStatusOptions, 'now'> {
  /**
   * Servers whose continuous backup state to check too (PostgreSQL: Stowage's
   * replication slots and the WAL each holds back). Connection URLs.
   */
  servers?: string[];
  /** Most WAL a slot may hold back before status fails. Default 1 GiB. */
  maxRetainedWalBytes?: number;
  /** A local folder or `s3://bucket/prefix`. */
  repository: string;
  database?: string;
  encryption?: Encryption;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
}

/** One of Stowage's replication slots, for status. */
export interface SlotStatus {
  server: string;
  slot: string;
  database: string;
  active: boolean;
  retainedBytes: number;
  walStatus?: string;
  /** The chain in this repository the slot belongs to, if any. */
  chain?: string;
  problems: string[];
  ok: boolean;
}

export const DEFAULT_MAX_RETAINED_WAL_BYTES = 1024 ** 3;

export interface RepositoryStatus {
  repository: string;
  /** True when every database is healthy (and there is at least one). */
  ok: boolean;
  databases: DatabaseStatus[];
  /** Each database's newest continuous backup chain: window, lag, last segment's age. */
  chains: ChainStatus[];
  /** Stowage's replication slots on the `servers` given (PostgreSQL), each matched to its chain. */
  slots: SlotStatus[];
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
    const chainList = await listChains(repository, {
      encryption: options.encryption,
      ...(options.database ? { database: options.database } : {}),
    });
    const chains = computeChainStatus(chainList, options);
    const coveredUntil = new Map<string, Date>();
    for (const c of chainList) if (c.window) coveredUntil.set(c.database, c.window.to);
    const databases = computeStatus(archives, runs, { ...options, coveredUntil });
    const slots: SlotStatus[] = [];
    for (const server of options.servers ?? []) {
      // Only some engines keep server-side state for a chain (PostgreSQL: a slot holding WAL back).
      const serverState = engineForUrl(server).continuous?.serverState;
      if (!serverState) continue;
      const limit = options.maxRetainedWalBytes ?? DEFAULT_MAX_RETAINED_WAL_BYTES;
      for (const s of await serverState(server)) {
        const chain = chainList.find((c) => c.feedId === s.slot)?.id;
        const problems: string[] = [];
        if (s.walStatus === 'lost')
          problems.push(`slot ${s.slot} is lost: the WAL it needed is gone, its chain cannot continue`);
        if (s.retainedBytes > limit)
          problems.push(
            `slot ${s.slot} holds ${s.retainedBytes} bytes of WAL (limit ${limit})${s.active ? '' : ': nothing reads it; if its chain is abandoned, stowage follow --retire drops it'}`,
          );
        slots.push({
          server: redactUrl(server),
          slot: s.slot,
          database: s.database,
          active: s.active,
          retainedBytes: s.retainedBytes,
          ...(s.walStatus ? { walStatus: s.walStatus } : {}),
          ...(chain ? { chain } : {}),
          problems,
          ok: problems.length === 0,
        });
      }
    }
    const leftovers = await summarizeLeftovers(repository);
    const now = options.now ?? new Date();
    return {
      repository: repository.url,
      ok:
        databases.length > 0 &&
        databases.every((d) => d.ok) &&
        chains.every((c) => c.ok) &&
        slots.every((s) => s.ok),
      databases,
      chains,
      slots,
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
