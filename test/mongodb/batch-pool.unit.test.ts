import { describe, expect, it } from 'vitest';
import { BatchPool } from '../../src/engines/mongodb/batch-pool.js';
import { InsertBatch, SECTION_HEADER_BYTES } from '../../src/engines/mongodb/insert-batch.js';

// The restore's memory bound for insert batches: never more out than the
// budget, first come first served, and memory reused rather than reallocated.

/** Resolves to true if the promise settles within a few turns of the event loop. */
async function settlesSoon(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => {
    settled = true;
  });
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return settled;
}

describe('batch pool', () => {
  it('hands out batches up to the budget, then makes the next taker wait for a give', async () => {
    const pool = new BatchPool(1024, 3 * 1024);
    const a = await pool.take();
    const b = await pool.take();
    const c = await pool.take();
    expect(pool.bytesOut).toBe(3 * 1024);
    const d = pool.take();
    expect(await settlesSoon(d)).toBe(false);
    pool.give(b);
    expect(await settlesSoon(d)).toBe(true);
    expect(await d).toBe(b); // the same memory, reused
    expect(pool.bytesOut).toBe(3 * 1024);
    for (const batch of [a, c, await d]) pool.give(batch);
    expect(pool.bytesOut).toBe(0);
  });

  it('gives a document larger than a batch a batch of its own, once there is room, ahead of later takers', async () => {
    const pool = new BatchPool(1024, 2 * 1024);
    const a = await pool.take();
    const big = pool.take(5000); // over the whole budget: waits until nothing else is out
    const after = pool.take();
    expect(await settlesSoon(big)).toBe(false);
    pool.give(a);
    expect(await settlesSoon(big)).toBe(true);
    expect(await settlesSoon(after)).toBe(false); // first come, first served
    const one = await big;
    expect(one.capacity).toBe(5000);
    pool.give(one);
    expect((await after).capacity).toBe(1024);
  });

  it('returned batches come back empty', async () => {
    const pool = new BatchPool(64, 64);
    const batch = await pool.take();
    batch.append(Buffer.from([5, 0, 0, 0, 0]));
    pool.give(batch);
    const again = await pool.take();
    expect(again).toBe(batch);
    expect([again.count, again.bytes]).toEqual([0, 0]);
  });
});

describe('insert batch', () => {
  it('is a ready OP_MSG document sequence section: kind 1, size, "documents", then the documents', () => {
    const docs = [Buffer.from([5, 0, 0, 0, 0]), Buffer.from([6, 0, 0, 0, 8, 0])];
    const batch = new InsertBatch(64);
    for (const d of docs) batch.append(d);
    expect([batch.count, batch.bytes]).toEqual([2, 11]);
    expect(batch.documents.equals(Buffer.concat(docs))).toBe(true);
    const section = batch.section();
    expect(section[0]).toBe(1);
    expect(section.readInt32LE(1)).toBe(section.length - 1);
    expect(section.subarray(5, SECTION_HEADER_BYTES).toString('latin1')).toBe('documents\0');
    expect(section.subarray(SECTION_HEADER_BYTES).equals(Buffer.concat(docs))).toBe(true);
  });

  it('refuses a document that does not fit', () => {
    const batch = new InsertBatch(8);
    expect(batch.fits(9)).toBe(false);
    expect(() => batch.append(Buffer.alloc(9))).toThrow(RangeError);
  });
});
