// What a continuous backup chain holds, read back from its segments.
import { expect } from 'vitest';
import { ArchiveReader } from '../../src/archive/reader.js';
import { CHANGES_STREAM } from '../../src/follow/segment-writer.js';
import { decodeTransactions } from '../../src/follow/transaction-codec.js';
import { openRepository } from '../../src/store/open-repository.js';

/** Every stored transaction's position, in chain order. */
export async function storedPositions(repo: string, chain: string, segments: string[]): Promise<string[]> {
  const repository = await openRepository(repo);
  const out: string[] = [];
  try {
    for (const name of segments) {
      const reader = await ArchiveReader.open(await repository.openArchive(name), { threads: 0 });
      try {
        for await (const t of decodeTransactions(reader.open(CHANGES_STREAM), name)) out.push(t.position);
      } finally {
        await reader.close();
      }
    }
  } finally {
    await repository.close();
  }
  expect(segments.every((s) => s.startsWith(`${chain}.seg-`))).toBe(true);
  return out;
}
