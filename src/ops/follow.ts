import { archiveKeys, type Encryption } from '../archive/archive-keys.js';
import type { CompressionLevel } from '../archive/frame-codec.js';
import { type ChainInfo, heartbeatFileName, listChains } from '../catalog/chains.js';
import { removeStaleLeftovers } from '../catalog/leftovers.js';
import { databaseFromUrl, safeName } from '../catalog/naming.js';
import {
  ChainBroken,
  type ChangeFeed,
  type ChangeTransaction,
  type EngineFollow,
  type EngineName,
} from '../engines/engine.js';
import { engineNameForUrl, enginePlugin, loadEngine } from '../engines/registry.js';
import { StowageError, UsageError } from '../errors.js';
import { SegmentBuffer } from '../follow/segment-buffer.js';
import { publishSegment } from '../follow/segment-writer.js';
import { ignoreProgress, type ProgressListener } from '../progress.js';
import { redactUrl } from '../redact.js';
import { openRepository } from '../store/open-repository.js';
import type { StoreOptions } from '../store/registry.js';
import type { Repository } from '../store/repository.js';
import { backup, DEFAULT_COMPRESSION_BY_ENGINE, scrub } from './backup.js';

export interface FollowOptions {
  /** Source connection URL. */
  source: string;
  /** The repository (folder or `s3://bucket/prefix`) that holds the chain. */
  to: string;
  /** Cut a segment once its first change has waited this long. Default 60. */
  segmentSeconds?: number;
  /** Cut a segment once it holds this many bytes of changes. Default 16 MiB. */
  segmentBytes?: number;
  /** How long one read of the feed waits for changes, ms. Default 1000. */
  readWaitMs?: number;
  /** Parallel connections for the base. Default 2. */
  jobs?: number;
  compression?: CompressionLevel;
  encryption?: Encryption;
  /** Engine backup options (selection): as for backup. */
  engineOptions?: Record<string, unknown>;
  threads?: number;
  /** Store settings by store kind (`{ s3: { endpoint } }`). */
  stores?: StoreOptions;
  /** Keep a base that lacks objects the engine cannot carry (marked incomplete). */
  allowIncomplete?: boolean;
  onProgress?: ProgressListener;
  onEvent?: (event: FollowEvent) => void;
  /** Stops following: the open segment is published and confirmed first. */
  signal?: AbortSignal;
  /** The daemon job name, for run records of bases. */
  job?: string;
}

/** What `follow` reports as it goes. */
export type FollowEvent =
  | { type: 'chain-started'; chain: string; base: string; position: string; reason?: string }
  | { type: 'chain-resumed'; chain: string; position: string; nextSegment: number }
  | {
      type: 'segment';
      chain: string;
      name: string;
      sequence: number;
      transactions: number;
      bytes: number;
      position: string;
    }
  | { type: 'chain-broken'; chain: string; reason: string }
  | { type: 'stopped'; chain?: string; position?: string };

export interface FollowSummary {
  /** Chains written to (started or resumed), in order. */
  chains: string[];
  segments: number;
  transactions: number;
  /** The last position stored. */
  position?: string;
}

const DEFAULT_SEGMENT_SECONDS = 60;
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
/** The heartbeat (window end while nothing changes) is refreshed at most this often. */
const MAX_HEARTBEAT_INTERVAL_MS = 15_000;

/** The chain being written: where it stands in the repository. */
interface OpenChain {
  id: string;
  feedId: string;
  /** The next segment's sequence number. */
  sequence: number;
  /** The last stored position. */
  position: string;
  describe: { engine: EngineName; serverVersion: string; database: string; source: string };
}

/**
 * Continuous backup: follows the source's committed changes into the
 * repository until `signal` fires. Resumes the newest chain of the source
 * (the repository is the record of what is stored), or starts a new one with
 * a base; when the feed says the chain cannot go on, starts a new chain and
 * says why. A segment is confirmed to the feed only once it is published.
 */
export async function follow(given: FollowOptions): Promise<FollowSummary> {
  // One key cache for the whole run: every archive (base, segments, the manifests read on resume) shares it.
  const options: FollowOptions = given.encryption
    ? { ...given, encryption: archiveKeys(given.encryption) }
    : given;
  const progress = options.onProgress ?? ignoreProgress;
  const emit = options.onEvent ?? (() => {});
  if (options.to === '-' || options.to.endsWith('.stow')) {
    throw new UsageError(
      `follow writes a chain of archives into a repository, not into ${options.to}`,
      'give a folder or s3://bucket/prefix to --to',
    );
  }
  const segmentSeconds = options.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!(segmentSeconds > 0) || !(segmentBytes > 0)) {
    throw new UsageError('the segment interval and size must be positive', 'e.g. --segment-seconds 60');
  }
  const engineName = engineNameForUrl(options.source);
  const engine = await loadEngine(engineName);
  const follower = engine.follow;
  if (!follower) {
    throw new StowageError(
      'follow-unsupported',
      `the ${engineName} engine cannot follow changes`,
      'take scheduled backups with `stowage backup` instead',
    );
  }
  const compression = options.compression ?? DEFAULT_COMPRESSION_BY_ENGINE[engineName];
  const engineOptions = options.engineOptions ?? {};
  const summary: FollowSummary = { chains: [], segments: 0, transactions: 0 };
  const stopped = () => options.signal?.aborted === true;
  const repository = await openRepository(options.to, { stores: options.stores });
  try {
    await follower.preflight(options.source, engineOptions);
    const { removed, failures } = await removeStaleLeftovers(repository);
    for (const l of removed)
      progress({ type: 'phase', phase: 'preflight', message: `removed ${l.name} (${l.why})` });
    for (const f of failures) progress({ type: 'warning', message: f });

    let reason: string | undefined;
    while (!stopped()) {
      const resumable = reason ? undefined : await newestChainOf(repository, options);
      if (resumable && 'gap' in resumable) reason = resumable.gap;
      let chain: OpenChain;
      let feed: ChangeFeed;
      if (resumable && !('gap' in resumable)) {
        chain = resumable;
        feed = await follower.open({
          url: options.source,
          options: engineOptions,
          feedId: chain.feedId,
          resumeAfter: chain.position,
          progress,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        emit({
          type: 'chain-resumed',
          chain: chain.id,
          position: chain.position,
          nextSegment: chain.sequence,
        });
      } else {
        const started = await startChain(follower, engineName, options, reason, progress);
        if (!started) break;
        ({ chain, feed } = started);
        emit({
          type: 'chain-started',
          chain: chain.id,
          base: `${chain.id}.stow`,
          position: chain.position,
          ...(reason ? { reason } : {}),
        });
      }
      if (!summary.chains.includes(chain.id)) summary.chains.push(chain.id);
      reason = await streamChain(
        repository,
        feed,
        chain,
        options,
        { segmentSeconds, segmentBytes, compression },
        (s) => {
          summary.segments++;
          summary.transactions += s.transactions;
          summary.position = s.position;
          emit({ type: 'segment', chain: chain.id, ...s });
        },
      ).catch(async (err: unknown) => {
        await feed.close().catch(() => {});
        throw err;
      });
      summary.position = chain.position;
      if (reason !== undefined) {
        emit({ type: 'chain-broken', chain: chain.id, reason });
        // The broken chain's server-side state (a slot) would only hold the server's WAL back.
        await feed.close({ drop: true });
      } else {
        await feed.close();
        emit({ type: 'stopped', chain: chain.id, position: chain.position });
      }
    }
    return summary;
  } catch (err) {
    throw scrub(err, options.source);
  } finally {
    await repository.close().catch(() => {});
  }
}

/**
 * Retires the newest chain of a source: removes its server-side state
 * (PostgreSQL: the replication slot and publication, which otherwise keep the
 * server's WAL) so nothing is held for a `follow` that will not come back. Its
 * archives stay restorable; a later `follow` starts a new chain. Resolves the
 * chain retired, or undefined when the repository holds none of the source.
 */
export async function retireChain(
  options: Pick<FollowOptions, 'source' | 'to' | 'encryption' | 'stores' | 'engineOptions' | 'onProgress'>,
): Promise<string | undefined> {
  const engine = await loadEngine(engineNameForUrl(options.source));
  if (!engine.follow) return undefined;
  const repository = await openRepository(options.to, { stores: options.stores });
  try {
    const database = databaseFromUrl(options.source);
    const source = redactUrl(options.source);
    const chains = await listChains(repository, { database, encryption: options.encryption });
    const newest = chains.filter((c) => c.base.source === source).at(-1);
    if (!newest) return undefined;
    const feed = await engine.follow.open({
      url: options.source,
      options: options.engineOptions ?? {},
      feedId: newest.feedId,
      resumeAfter: newest.window?.toPosition ?? newest.base.chain.after,
      progress: options.onProgress ?? ignoreProgress,
    });
    await feed.close({ drop: true });
    return newest.id;
  } catch (err) {
    throw scrub(err, options.source);
  } finally {
    await repository.close().catch(() => {});
  }
}

/**
 * The newest chain of this source, ready to resume; `{ gap }` when it cannot
 * be resumed (a segment is missing or unreadable); undefined when there is none.
 */
async function newestChainOf(
  repository: Repository,
  options: FollowOptions,
): Promise<OpenChain | { gap: string } | undefined> {
  const database = databaseFromUrl(options.source);
  const chains = await listChains(repository, { database, encryption: options.encryption });
  const source = redactUrl(options.source);
  const own = chains.filter((c) => c.base.source === source);
  const newest = own.at(-1);
  if (!newest) return undefined;
  if (newest.gap) return { gap: `the newest chain ${newest.id} cannot be continued: ${newest.gap}` };
  return openChainOf(newest);
}

function openChainOf(chain: ChainInfo): OpenChain {
  const usable = chain.window?.usableSegments ?? 0;
  const position = chain.window?.toPosition ?? chain.base.chain.after;
  return {
    id: chain.id,
    feedId: chain.feedId,
    sequence: usable + 1,
    position,
    describe: {
      // The archive layer reads the engine as any name; the registry refuses one it does not know
      // (a readable base always names one).
      engine: enginePlugin(chain.base.engine ?? '').name,
      serverVersion: chain.base.serverVersion ?? '',
      database: chain.base.sourceDatabase ?? chain.database,
      source: chain.base.source ?? '',
    },
  };
}

/** Opens a new feed and takes the chain's base; undefined when stopped meanwhile. */
async function startChain(
  follower: EngineFollow,
  engineName: EngineName,
  options: FollowOptions,
  reason: string | undefined,
  progress: ProgressListener,
): Promise<{ chain: OpenChain; feed: ChangeFeed } | undefined> {
  if (reason) progress({ type: 'warning', message: `starting a new chain: ${reason}` });
  const feedId = newFeedId(databaseFromUrl(options.source), new Date());
  const feed = await follower.open({
    url: options.source,
    options: options.engineOptions ?? {},
    feedId,
    progress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const base = await backup({
      source: options.source,
      to: options.to,
      kind: 'scheduled',
      note: 'continuous backup base',
      ...(options.jobs ? { jobs: options.jobs } : {}),
      ...(options.compression ? { compression: options.compression } : {}),
      ...(options.encryption ? { encryption: options.encryption } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.stores ? { stores: options.stores } : {}),
      ...(options.job ? { job: options.job } : {}),
      ...(options.allowIncomplete ? { allowIncomplete: true } : {}),
      engineOptions: options.engineOptions ?? {},
      onProgress: progress,
      ...(options.signal ? { signal: options.signal } : {}),
      preflight: false,
      chainBase: { feedId, after: feed.startPosition, take: (request) => feed.takeBase(request) },
    });
    const { manifest } = base;
    return {
      feed,
      chain: {
        id: manifest.chain!.id,
        feedId,
        sequence: 1,
        position: feed.startPosition,
        describe: {
          engine: engineName,
          serverVersion: manifest.serverVersion,
          database: manifest.database,
          source: manifest.source,
        },
      },
    };
  } catch (err) {
    // No base, no chain: the feed's server-side state has nothing to serve.
    await feed.close({ drop: true }).catch(() => {});
    if (options.signal?.aborted) return undefined;
    throw err;
  }
}

/**
 * `stowage_<database>_<yyyymmddhhmmss>`: `[a-z0-9_]`, at most 40 characters,
 * unique per chain of a database.
 */
export function newFeedId(database: string, at: Date): string {
  const db = safeName(database)
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 16);
  const stamp = at
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 14);
  return `stowage_${db}_${stamp}`;
}

interface SegmentSettings {
  segmentSeconds: number;
  segmentBytes: number;
  compression: CompressionLevel;
}

/**
 * Reads the feed and publishes segments until stopped (then the open segment
 * is published) or the chain breaks: resolves undefined when stopped, or why
 * the chain broke. Changes read before a break are published to the old chain.
 */
async function streamChain(
  repository: Repository,
  feed: ChangeFeed,
  chain: OpenChain,
  options: FollowOptions,
  settings: SegmentSettings,
  published: (segment: {
    name: string;
    sequence: number;
    transactions: number;
    bytes: number;
    position: string;
  }) => void,
): Promise<string | undefined> {
  const buffer = new SegmentBuffer({
    maxAgeMs: settings.segmentSeconds * 1000,
    maxBytes: settings.segmentBytes,
  });
  const readWaitMs = options.readWaitMs ?? 1000;
  const heartbeatEveryMs = Math.min(settings.segmentSeconds * 1000, MAX_HEARTBEAT_INTERVAL_MS);
  // When a read that started then came back empty: every change committed
  // before it had been handed over already (and so is held or stored).
  let caughtUpAt: number | undefined;
  let openedAt = new Date();
  let lastHeartbeat = 0;

  const cut = async () => {
    const transactions: ChangeTransaction[] = buffer.take();
    if (transactions.length === 0) return;
    const segment = await publishSegment(repository, {
      chain: chain.id,
      feedId: chain.feedId,
      sequence: chain.sequence,
      after: chain.position,
      transactions,
      ...(caughtUpAt !== undefined ? { coveredUntil: new Date(caughtUpAt) } : {}),
      openedAt,
      describe: chain.describe,
      compression: settings.compression,
      ...(options.encryption ? { encryption: options.encryption } : {}),
    });
    const position = segment.mark.last!;
    // Only now is the segment durable: the server may forget what it holds.
    await feed.confirm(position);
    published({
      name: segment.name,
      sequence: chain.sequence,
      transactions: transactions.length,
      bytes: segment.bytes,
      position,
    });
    chain.sequence++;
    chain.position = position;
  };

  const heartbeat = async () => {
    if (caughtUpAt === undefined || buffer.size > 0) return;
    const record = {
      position: chain.position,
      coveredUntil: new Date(caughtUpAt).toISOString(),
      updatedAt: new Date().toISOString(),
    };
    await repository.writeText(heartbeatFileName(chain.id), `${JSON.stringify(record)}\n`);
    lastHeartbeat = Date.now();
  };

  while (!options.signal?.aborted) {
    const readStart = Date.now();
    let transactions: ChangeTransaction[];
    try {
      transactions = await feed.read(readWaitMs);
    } catch (err) {
      if (!(err instanceof ChainBroken)) throw err;
      await cut();
      return err.message;
    }
    const now = Date.now();
    if (buffer.size === 0 && transactions.length > 0) openedAt = new Date(now);
    buffer.add(transactions, now);
    if (transactions.length === 0 && !options.signal?.aborted) caughtUpAt = readStart;
    if (buffer.due(now)) await cut();
    else if (buffer.size === 0 && now - lastHeartbeat >= heartbeatEveryMs) await heartbeat();
  }
  // Stopping: one last look (no waiting), so the stored window reaches the
  // moment of the stop and not only the last change.
  for (let tries = 0; tries < 10; tries++) {
    const readStart = Date.now();
    let transactions: ChangeTransaction[];
    try {
      transactions = await feed.read(0);
    } catch (err) {
      if (!(err instanceof ChainBroken)) break;
      await cut();
      return err.message;
    }
    buffer.add(transactions, Date.now());
    if (transactions.length === 0) {
      caughtUpAt = readStart;
      break;
    }
  }
  await cut();
  await heartbeat();
  return undefined;
}

/** One line per event, for people (the CLI and the daemon's log). */
export function describeFollowEvent(event: FollowEvent): string {
  switch (event.type) {
    case 'chain-started':
      return `new chain ${event.chain}${event.reason ? ` (${event.reason})` : ''}: base ${event.base}, changes from ${event.position}`;
    case 'chain-resumed':
      return `continuing chain ${event.chain} after ${event.position} (next segment ${event.nextSegment})`;
    case 'segment':
      return `segment ${event.name}: ${event.transactions} changes, ${event.bytes} bytes, up to ${event.position}`;
    case 'chain-broken':
      return `chain ${event.chain} ends: ${event.reason}`;
    case 'stopped':
      return `chain ${event.chain ?? '-'} stopped at ${event.position ?? '-'}`;
  }
}
