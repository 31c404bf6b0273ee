import { StowageError } from '../errors.js';
import { FrameRuns } from './frame-runs.js';
import { grown } from './grown-array.js';
import { JSON_TEXT } from './json-pieces.js';
import type { StreamEntry } from './manifest.js';
import { type DigestAlgorithm, recordDigest } from './stream-digest.js';

/** Bytes of a BLAKE3 or SHA-256 digest. */
const DIGEST_BYTES = 32;

/** Index entries written per string part of the footer's text: a part of a few KiB, not one per entry. */
const ENTRIES_PER_PART = 64;

/** What a closed stream's record is made from, as the writer has it when the stream's last frame is written. */
export interface ClosedStream {
  id: number;
  items: number;
  rawBytes: number;
  storedBytes: number;
  /** Lowercase hex of the stream's digest, in the records' algorithm. */
  digestHex: string;
  /** Each data frame's offset, total size and payload CRC, in sequence order. */
  offsets: readonly number[];
  sizes: readonly number[];
  crcs: readonly number[];
}

/**
 * The archive writer's records of its streams until the footer, compact: a
 * backup of 20,000 tables held an object of eight fields, three lists and a
 * hex string per stream through its data phase (~15 MB of live heap by the
 * footer). Here a closed stream is a position: its counts in typed arrays by
 * stream id, its digest as 32 bytes, its frames' offsets, sizes and CRCs in
 * shared typed arrays (frame-runs.ts: one run per stream, in the order streams close). Names
 * are kept in the order streams were opened, which is the ids' order and the
 * footer's.
 *
 * The footer's `streams` list and frame `index` are written from here as JSON
 * text ({@link streamsText}, {@link indexText}), the same bytes as the entries
 * they stand for would give.
 */
export class StreamRecords {
  /** Every stream's name, opened or closed, in id order. */
  private readonly names = new Set<string>();
  private closedCount = 0;
  private items = new Float64Array(64);
  private rawBytes = new Float64Array(64);
  private storedBytes = new Float64Array(64);
  /** Where a stream's frames start in the shared frame arrays, and how many it has. */
  private frameStart = new Uint32Array(64);
  private frameCount = new Uint32Array(64);
  private digests = new Uint8Array(64 * DIGEST_BYTES);
  private readonly runs = new FrameRuns();

  constructor(readonly algorithm: DigestAlgorithm) {}

  /** Streams opened so far. */
  get size(): number {
    return this.names.size;
  }

  /** Streams whose record is complete. */
  get closed(): number {
    return this.closedCount;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Names a new stream; its id is the number of streams named before it. */
  add(name: string): number {
    const id = this.names.size;
    this.names.add(name);
    if (id >= this.items.length) {
      const size = this.items.length * 2;
      this.items = grown(this.items, size);
      this.rawBytes = grown(this.rawBytes, size);
      this.storedBytes = grown(this.storedBytes, size);
      this.frameStart = grown(this.frameStart, size);
      this.frameCount = grown(this.frameCount, size);
      this.digests = grown(this.digests, size * DIGEST_BYTES);
    }
    return id;
  }

  /** Records a stream once its close frame is written: all of its data frames are by then. */
  close(stream: ClosedStream): void {
    const { id, offsets } = stream;
    if (id >= this.names.size)
      throw new StowageError('internal', `stream ${id} closed but never opened (a stowage bug)`);
    if (!Number.isSafeInteger(stream.items) || stream.items < 0) {
      throw new StowageError('internal', `stream ${id} counted ${stream.items} items (a stowage bug)`);
    }
    if (!/^[0-9a-f]{64}$/.test(stream.digestHex)) {
      throw new StowageError('internal', `stream ${id} has no ${this.algorithm} digest (a stowage bug)`);
    }
    this.frameStart[id] = this.runs.append(offsets, stream.sizes, stream.crcs);
    this.frameCount[id] = offsets.length;
    this.items[id] = stream.items;
    this.rawBytes[id] = stream.rawBytes;
    this.storedBytes[id] = stream.storedBytes;
    // Written in place: a Buffer.from(hex) is a slice of Node's shared pool, and moved the pool's
    // offsets so that a close frame's buffer started a fresh 8 KiB slab, which buffer-pool.ts then
    // took for a whole frame buffer (with 8 KiB frames) and the codec could not transfer.
    this.digestView(id).write(stream.digestHex, 'hex');
    this.closedCount++;
  }

  /** Every stream's manifest entry, in id order: made when asked (a backup's summary reads them once). */
  *entries(): Generator<StreamEntry> {
    let id = 0;
    for (const name of this.names) {
      yield {
        name,
        items: this.items[id]!,
        rawBytes: this.rawBytes[id]!,
        storedBytes: this.storedBytes[id]!,
        ...recordDigest(this.algorithm, this.digestHex(id)),
        frames: this.frameCount[id]!,
      };
      id++;
    }
  }

  /** The manifest's `streams` as JSON text: what `JSON.stringify` of {@link entries} gives. */
  streamsText(): { [JSON_TEXT](): Iterable<string> } {
    return { [JSON_TEXT]: () => this.parts((name, id) => this.entryText(name, id)) };
  }

  /** The footer's `index` as JSON text: per stream its name, id, and its frames' offsets, sizes and CRCs. */
  indexText(): { [JSON_TEXT](): Iterable<string> } {
    return { [JSON_TEXT]: () => this.parts((name, id) => this.indexEntryText(name, id)) };
  }

  private *parts(textOf: (name: string, id: number) => string): Generator<string> {
    yield '[';
    let id = 0;
    let part = '';
    for (const name of this.names) {
      part += (id > 0 ? ',' : '') + textOf(name, id);
      id++;
      if (id % ENTRIES_PER_PART === 0) {
        yield part;
        part = '';
      }
    }
    yield `${part}]`;
  }

  private entryText(name: string, id: number): string {
    // Key order as the manifest's schema puts them (manifest.ts StreamEntry).
    return (
      `{"name":${JSON.stringify(name)},"items":${this.items[id]},"rawBytes":${this.rawBytes[id]}` +
      `,"storedBytes":${this.storedBytes[id]},"${this.algorithm}":"${this.digestHex(id)}"` +
      `,"frames":${this.frameCount[id]}}`
    );
  }

  private indexEntryText(name: string, id: number): string {
    const run = this.runs.run(this.frameStart[id]!, this.frameCount[id]!);
    return (
      `{"name":${JSON.stringify(name)},"streamId":${id},"frames":[${run.offsets.join(',')}]` +
      `,"sizes":[${run.sizes.join(',')}],"crcs":[${run.crcs.join(',')}]}`
    );
  }

  private digestHex(id: number): string {
    return this.digestView(id).toString('hex');
  }

  private digestView(id: number): Buffer {
    return Buffer.from(this.digests.buffer, id * DIGEST_BYTES, DIGEST_BYTES);
  }
}
