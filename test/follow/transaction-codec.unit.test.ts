import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ChangeTransaction } from '../../src/engines/engine.js';
import { decodeTransactions, encodeTransaction } from '../../src/follow/transaction-codec.js';

async function decodeAll(chunks: Buffer[]): Promise<ChangeTransaction[]> {
  const out: ChangeTransaction[] = [];
  for await (const t of decodeTransactions(Readable.from(chunks), 'changes')) out.push(t);
  return out;
}

describe('change records', () => {
  const transactions: ChangeTransaction[] = [
    { position: '16/B374D848', commitTime: 1_700_000_000_123, payload: Buffer.from('first') },
    { position: '1700000000:5', commitTime: 1_700_000_000_456, payload: Buffer.alloc(0) },
    { position: 'ü', commitTime: 0, payload: Buffer.alloc(3000, 7) },
  ];
  const bytes = Buffer.concat(transactions.map(encodeTransaction));

  it('reads back what was written, whatever the chunking', async () => {
    expect(await decodeAll([bytes])).toEqual(transactions);
    // One byte at a time: every record straddles chunk boundaries.
    const single = Array.from({ length: 200 }, (_, i) => bytes.subarray(i, i + 1));
    const rest = bytes.subarray(200);
    expect(await decodeAll([...single, rest])).toEqual(transactions);
  });

  it('refuses a stream cut inside a record', async () => {
    await expect(decodeAll([bytes.subarray(0, bytes.length - 1)])).rejects.toThrow(
      /ends inside a change record/,
    );
  });
});
