import { ArchiveReader } from '../archive/reader.js';
import { selectChain, type UntilBound, withinBound } from '../catalog/chain-window.js';
import { type ChainInfo, listChains } from '../catalog/chains.js';
import type { ChangeTransaction, WrittenTarget } from '../engines/engine.js';
import { engineNameForUrl, loadEngine } from '../engines/registry.js';
import { StowageError, UsageError } from '../errors.js';
import { CHANGES_STREAM } from '../follow/segment-writer.js';
import { decodeTransactions } from '../follow/transaction-codec.js';
import { ignoreProgress } from '../progress.js';
import { openRepository } from '../store/open-repository.js';
import type { Repository } from '../store/repository.js';
import { scrub } from './backup.js';
import { settlePartialTarget } from './partial-target.js';
import { type RestoreOptions, type RestoreSummary, restore } from './restore.js';

export interface RestoreUntilOptions extends Omit<RestoreOptions, 'archive' | 'stdin'> {
  /** The repository holding the chains. */
  repository: string;
  /**
   * Where to stop: `latest`, a moment (changes committed at or before it are
   * replayed), or an engine position text (`--until-lsn`, `--until-ts`).
   */
  until: 'latest' | Date | { position: string };
  /** The database key of the chains to use, when the repository holds several databases' chains. */
  database?: string;
}

export interface RestoreUntilSummary {
  /** The chain used and its base restore. */
  chain: string;
  base: RestoreSummary;
  /** Transactions replayed after the base, and the last one's position and commit time. */
  applied: number;
  position?: string;
  committedAt?: string;
  durationMs: number;
}

/**
 * Point-in-time restore from continuous backups: the newest chain whose
 * window holds the moment, its base restored as any archive is, then its
 * segments' transactions replayed in order up to the moment, each whole.
 */
export async function restoreUntil(options: RestoreUntilOptions): Promise<RestoreUntilSummary> {
  const started = Date.now();
  const progress = options.onProgress ?? ignoreProgress;
  const engineName = engineNameForUrl(options.target);
  const engine = await loadEngine(engineName);
  const follower = engine.follow;
  if (!follower) {
    throw new StowageError(
      'follow-unsupported',
      `the ${engineName} engine has no continuous backups to restore`,
    );
  }
  const bound: UntilBound =
    options.until === 'latest'
      ? { kind: 'latest' }
      : options.until instanceof Date
        ? { kind: 'time', at: options.until }
        : {
            kind: 'position',
            position: follower.parsePosition(options.until.position),
            compare: follower.compare,
          };
  const repository = await openRepository(options.repository, { stores: options.stores });
  try {
    const all = await listChains(repository, {
      encryption: options.encryption,
      ...(options.database ? { database: options.database } : {}),
    });
    const chains = all.filter((c) => c.base.engine === engineName);
    const databases = [...new Set(chains.map((c) => c.database))];
    if (databases.length > 1) {
      throw new UsageError(
        `${options.repository} holds continuous backups of several databases (${databases.join(', ')})`,
        'pick one with --database NAME',
      );
    }
    const chain = selectChain(chains, bound);
    progress({
      type: 'phase',
      phase: 'restore',
      message: `restoring chain ${chain.id}: its base, then changes up to ${describe(options.until)}`,
    });
    let written: WrittenTarget | undefined;
    const base = await restore({
      ...options,
      archive: chain.base.location,
      onWriteBegun: (target) => {
        written = target;
        options.onWriteBegun?.(target);
      },
    });
    let last: ChangeTransaction | undefined;
    const transactions = async function* () {
      for await (const t of chainTransactions(repository, chain, options)) {
        if (!withinBound(t, bound)) return;
        last = t;
        yield t;
      }
    };
    const replayed = await follower
      .replay({
        url: options.target,
        transactions: transactions(),
        schema: base.manifest.schema,
        options: options.engineOptions ?? {},
        progress,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      .catch(async (err: unknown) => {
        // The base is in the target but not the moment asked for: settled as a failed restore is
        // (the base restore settles its own failures), a database the base created dropped again.
        throw written
          ? await settlePartialTarget(err, {
              engine,
              url: options.target,
              written,
              keep: !!options.keepFailed,
            })
          : err;
      });
    const end = last as ChangeTransaction | undefined;
    return {
      chain: chain.id,
      base,
      applied: replayed.applied,
      ...(end ? { position: end.position, committedAt: new Date(end.commitTime).toISOString() } : {}),
      durationMs: Date.now() - started,
    };
  } catch (err) {
    throw scrub(err, options.target);
  } finally {
    await repository.close().catch(() => {});
  }
}

function describe(until: RestoreUntilOptions['until']): string {
  if (until === 'latest') return 'the latest stored';
  return until instanceof Date ? until.toISOString() : `position ${until.position}`;
}

/**
 * The chain's transactions after its base, segment by segment, each segment
 * checked as it is opened: it must be the one the window counted on (same
 * sequence, starting where the previous one ended).
 */
async function* chainTransactions(
  repository: Repository,
  chain: ChainInfo,
  options: RestoreUntilOptions,
): AsyncGenerator<ChangeTransaction> {
  let position = chain.base.chain.after;
  const usable = chain.window?.usableSegments ?? 0;
  for (const segment of chain.segments.slice(0, usable)) {
    const reader = await ArchiveReader.open(
      await repository.openArchive(segment.name, { sequential: true }),
      {
        encryption: options.encryption,
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
      },
    );
    try {
      const mark = reader.manifest.chain;
      if (mark?.role !== 'segment' || mark.id !== chain.id || mark.after !== position) {
        throw new StowageError(
          'chain-gap',
          `segment ${segment.name} does not continue chain ${chain.id} from ${position}`,
          'restore to a moment before it',
        );
      }
      let count = 0;
      for await (const t of decodeTransactions(
        reader.open(CHANGES_STREAM),
        `${segment.name}:${CHANGES_STREAM}`,
      )) {
        count++;
        yield t;
      }
      if (count !== mark.transactions) {
        throw new StowageError(
          'corrupt-segment',
          `segment ${segment.name} holds ${count} changes, but its manifest says ${mark.transactions}`,
        );
      }
      position = mark.last ?? position;
    } finally {
      await reader.close();
    }
  }
}
