import type { Encryption } from '../archive/archive-keys.js';
import { ArchiveReader } from '../archive/reader.js';
import { mapLimited } from '../scheduler/scheduler.js';
import type { Repository } from '../store/repository.js';
import { type ChainHeartbeat, type ChainState, chainWindow, type SegmentInfo } from './chain-window.js';
import { type ArchiveInfo, listArchives } from './list.js';
import { chainIdOf, parseSegmentName, safeName } from './naming.js';

/**
 * The continuous backup chains in a repository (docs/CONTINUOUS.md): each is
 * a base archive marked as such in its manifest, its change segments
 * `<chain>.seg-NNNNNN.stow`, and a heartbeat side file under `.stowage/chains/`.
 */

export const HEARTBEAT_FOLDER = '.stowage/chains';

/** The heartbeat side file of a chain. */
export function heartbeatFileName(chain: string): string {
  return `${HEARTBEAT_FOLDER}/${chain}.json`;
}

export interface ChainInfo extends ChainState {
  /** The chain's name: its base archive's name without `.stow`. */
  id: string;
  /** Database key (as archives are grouped). */
  database: string;
  base: ArchiveInfo & { chain: NonNullable<ArchiveInfo['chain']> };
  feedId: string;
  segments: SegmentInfo[];
  /** Bytes of all segments. */
  segmentBytes: number;
  /** When the newest segment was published. */
  lastSegmentAt?: Date;
  heartbeat?: ChainHeartbeat;
}

export interface ChainListOptions {
  encryption?: Encryption;
  database?: string;
  concurrency?: number;
  /** The repository's archives, when the caller has listed them already (same database filter). */
  archives?: ArchiveInfo[];
}

/** Lists the chains, oldest base first, each with its segments and window. */
export async function listChains(
  repository: Repository,
  options: ChainListOptions = {},
): Promise<ChainInfo[]> {
  const [archives, files] = await Promise.all([
    options.archives ??
      listArchives(repository, { encryption: options.encryption, database: options.database }),
    repository.listFiles(),
  ]);
  const bases = archives.filter(
    (a): a is ChainInfo['base'] => a.chain?.role === 'base' && a.finishedAt !== undefined,
  );
  const wanted = new Set(bases.map((b) => chainIdOf(b.name)));
  const segmentFiles = files
    .map((f) => ({ file: f, parsed: parseSegmentName(f.name) }))
    .filter((s) => s.parsed && wanted.has(s.parsed.chain));
  const segments = await mapLimited(segmentFiles, options.concurrency ?? 8, async ({ file, parsed }) =>
    describeSegment(repository, file.name, file.size, parsed!.sequence, options.encryption),
  );
  const chains: ChainInfo[] = [];
  for (const base of bases) {
    const id = chainIdOf(base.name);
    const own = segments.filter((s) => parseSegmentName(s.name)?.chain === id);
    const heartbeat = await readHeartbeat(repository, id);
    const state = chainWindow({ finishedAt: base.finishedAt!, mark: base.chain }, own, heartbeat);
    const published = own.map((s) => s.finishedAt?.getTime()).filter((t): t is number => t !== undefined);
    chains.push({
      id,
      database: options.database ? safeName(options.database) : base.database,
      base,
      feedId: base.chain.feedId,
      segments: own.sort((a, b) => a.sequence - b.sequence),
      segmentBytes: own.reduce((n, s) => n + s.bytes, 0),
      ...(published.length ? { lastSegmentAt: new Date(Math.max(...published)) } : {}),
      ...(heartbeat ? { heartbeat } : {}),
      ...state,
    });
  }
  return chains;
}

async function describeSegment(
  repository: Repository,
  name: string,
  bytes: number,
  sequence: number,
  encryption: Encryption | undefined,
): Promise<SegmentInfo> {
  const info: SegmentInfo = { name, location: repository.locate(name), bytes, sequence };
  try {
    const reader = await ArchiveReader.open(await repository.openArchive(name), { encryption, threads: 0 });
    try {
      const { manifest } = reader;
      if (manifest.chain?.role !== 'segment')
        return { ...info, unreadable: 'its manifest has no segment mark' };
      return { ...info, mark: manifest.chain, finishedAt: new Date(manifest.finishedAt) };
    } finally {
      await reader.close();
    }
  } catch (err) {
    return { ...info, unreadable: err instanceof Error ? err.message : String(err) };
  }
}

async function readHeartbeat(repository: Repository, chain: string): Promise<ChainHeartbeat | undefined> {
  const text = await repository.readText(heartbeatFileName(chain)).catch(() => undefined);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<ChainHeartbeat>;
    if (typeof parsed.position !== 'string' || typeof parsed.coveredUntil !== 'string') return undefined;
    return {
      position: parsed.position,
      coveredUntil: parsed.coveredUntil,
      updatedAt: String(parsed.updatedAt),
    };
  } catch {
    return undefined;
  }
}
