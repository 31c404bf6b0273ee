import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Encryption } from '../archive/archive-keys.js';
import type { CompressionLevel } from '../archive/frame-codec.js';
import type { ChainMark, ManifestInput } from '../archive/manifest.js';
import { ArchiveWriter } from '../archive/writer.js';
import { segmentName } from '../catalog/naming.js';
import type { ChangeTransaction } from '../engines/engine.js';
import type { Repository } from '../store/repository.js';
import { TOOL_VERSION } from '../version.js';
import { encodeTransaction } from './transaction-codec.js';

/** The one stream of a segment. */
export const CHANGES_STREAM = 'changes';

export interface SegmentToPublish {
  chain: string;
  feedId: string;
  sequence: number;
  /** The chain's position before the first transaction. */
  after: string;
  transactions: ChangeTransaction[];
  /** Every change committed up to this moment is in this segment or before it. */
  coveredUntil?: Date;
  openedAt: Date;
  /** What every segment of the chain shares with its base (engine, source, server). */
  describe: Pick<ManifestInput, 'engine' | 'serverVersion' | 'database' | 'source'>;
  compression: CompressionLevel;
  encryption?: Encryption;
}

/**
 * Writes a segment as an ordinary archive (checksummed, compressed, and
 * encrypted when the chain is) and publishes it: when this resolves the
 * segment is durably in the repository under its name, and only then may
 * the feed be told to forget its changes.
 */
export async function publishSegment(
  repository: Repository,
  segment: SegmentToPublish,
): Promise<{ name: string; bytes: number; mark: ChainMark }> {
  const { transactions } = segment;
  const first = transactions[0];
  const last = transactions.at(-1);
  if (!first || !last) throw new Error('an empty segment is never published');
  const name = segmentName(segment.chain, segment.sequence);
  const sink = await repository.createArchive(name);
  let writer: ArchiveWriter;
  try {
    writer = await ArchiveWriter.create(sink, {
      compression: segment.compression,
      encryption: segment.encryption,
      threads: 0,
    });
  } catch (err) {
    await sink.abort();
    throw err;
  }
  try {
    const stream = writer.open(CHANGES_STREAM);
    for (const transaction of transactions) {
      if (!stream.write(encodeTransaction(transaction))) await once(stream, 'drain');
      stream.itemCount++;
    }
    stream.end();
    await finished(stream);
    const covered = Math.max(last.commitTime, segment.coveredUntil?.getTime() ?? 0);
    const mark: ChainMark = {
      id: segment.chain,
      feedId: segment.feedId,
      role: 'segment',
      sequence: segment.sequence,
      after: segment.after,
      last: last.position,
      transactions: transactions.length,
      firstCommitAt: new Date(first.commitTime).toISOString(),
      lastCommitAt: new Date(last.commitTime).toISOString(),
      coveredUntil: new Date(covered).toISOString(),
    };
    const result = await writer.finish({
      tool: { name: 'stowage', version: TOOL_VERSION },
      ...segment.describe,
      startedAt: segment.openedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      kind: 'scheduled',
      pointInTime: false,
      options: { compression: segment.compression },
      warnings: [],
      schema: null,
      chain: mark,
    });
    return { name, bytes: result.bytes, mark };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
