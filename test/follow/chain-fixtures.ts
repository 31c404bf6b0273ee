// Continuous backup chains written as real archives into a folder, for tests
// that need no database: a base, then segments that follow on.
import type { ChainMark } from '../../src/archive/manifest.js';
import { ArchiveWriter } from '../../src/archive/writer.js';
import { publishSegment } from '../../src/follow/segment-writer.js';
import type { Repository } from '../../src/store/repository.js';

export const describeShop = {
  engine: 'mongodb' as const,
  serverVersion: '7.0',
  database: 'shop',
  source: 'mongodb://h/shop',
};
export const at = (day: number, second = 0) => new Date(Date.UTC(2026, 0, day, 0, 0, second));

export async function writeArchive(
  repository: Repository,
  name: string,
  finished: Date,
  chain?: ChainMark,
): Promise<void> {
  const writer = await ArchiveWriter.create(await repository.createArchive(name), {
    compression: 'none',
    threads: 0,
  });
  await writer.finish({
    tool: { name: 'stowage', version: 'test' },
    ...describeShop,
    startedAt: new Date(finished.getTime() - 1000).toISOString(),
    finishedAt: finished.toISOString(),
    kind: 'scheduled',
    pointInTime: true,
    options: {},
    warnings: [],
    schema: {},
    ...(chain ? { chain } : {}),
  });
}

export async function writeChain(
  repository: Repository,
  id: string,
  day: number,
  segments: number,
): Promise<void> {
  await writeArchive(repository, `${id}.stow`, at(day, 1), {
    id,
    feedId: `stowage_shop_${day}`,
    role: 'base',
    sequence: 0,
    after: `${day * 1000}:0`,
    transactions: 0,
  });
  for (let s = 1; s <= segments; s++) {
    await publishSegment(repository, {
      chain: id,
      feedId: `stowage_shop_${day}`,
      sequence: s,
      after: `${day * 1000 + s - 1}:${s === 1 ? 0 : 1}`,
      transactions: [
        { position: `${day * 1000 + s}:1`, commitTime: at(day, 10 * s).getTime(), payload: Buffer.from('x') },
      ],
      coveredUntil: at(day, 10 * s + 5),
      openedAt: at(day, 10 * s),
      describe: describeShop,
      compression: 'none',
    });
  }
}
