import { createHash } from 'node:crypto';
import type { ItemSplitter as EngineItemSplitter } from '../engines/plugin.js';
import { enginePlugin } from '../engines/registry.js';

/**
 * Order-independent content digests of engine streams, for comparing a
 * restored database with its archive. A restore may write rows or documents
 * in a different order (parallel, unordered batches), so the stream's SHA-256
 * can legitimately differ; the multiset of items cannot. The engine splits
 * the stream into items (its plugin's `itemSplitter`), each item is hashed,
 * and the hashes are added up.
 */

/**
 * The sum, lane by lane (8 × 32 bits), of every item's SHA-256: the same for
 * the same items in any order, different when any item differs, is missing or
 * is duplicated.
 */
export class MultisetDigest {
  private readonly lanes = new Uint32Array(8);
  count = 0;

  add(item: Buffer): void {
    const h = createHash('sha256').update(item).digest();
    for (let i = 0; i < 8; i++) this.lanes[i] = (this.lanes[i]! + h.readUInt32LE(i * 4)) >>> 0;
    this.count++;
  }

  merge(other: MultisetDigest): void {
    for (let i = 0; i < 8; i++) this.lanes[i] = (this.lanes[i]! + other.lanes[i]!) >>> 0;
    this.count += other.count;
  }

  hex(): string {
    return Buffer.from(this.lanes.buffer, this.lanes.byteOffset, this.lanes.byteLength).toString('hex');
  }
}

/** Splits a stream of `engine` into items incrementally and feeds them to a digest. */
export class ItemSplitter {
  private readonly splitter: EngineItemSplitter;

  constructor(
    engine: string,
    readonly digest: MultisetDigest = new MultisetDigest(),
  ) {
    this.splitter = enginePlugin(engine).itemSplitter((item) => digest.add(item));
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  /** Ends the stream; returns a problem when bytes were left that form no whole item. */
  end(): string | undefined {
    return this.splitter.end();
  }
}
