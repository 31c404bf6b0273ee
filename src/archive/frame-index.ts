import { FrameRuns } from './frame-runs.js';
import { grown } from './grown-array.js';
import type { Footer } from './manifest.js';

/** One stream's place in the archive, as the footer's index gives it. */
export interface IndexedStream {
  name: string;
  streamId: number;
  /** Offsets of the stream's data frames, in sequence order. */
  frames: ArrayLike<number> & { at(i: number): number | undefined };
  /** Each data frame's total size, parallel to `frames`. */
  sizes: ArrayLike<number>;
  /** Each data frame's payload CRC, parallel to `frames`; absent in archives of earlier releases. */
  crcs?: ArrayLike<number> | undefined;
}

/** The footer's frame index, looked up by stream name. */
export interface FrameIndex {
  get(name: string): IndexedStream | undefined;
  /** Every stream's entry, in the footer's order. */
  all(): Iterable<IndexedStream>;
}

/** The index as parsed: a map by name over the footer's own entries, made when first asked. */
export class ParsedFrameIndex implements FrameIndex {
  private byName: Map<string, IndexedStream> | undefined;

  constructor(private readonly entries: Footer['index']) {}

  get(name: string): IndexedStream | undefined {
    this.byName ??= new Map(this.entries.map((e) => [e.name, e]));
    return this.byName.get(name);
  }

  all(): Iterable<IndexedStream> {
    return this.entries;
  }
}

/**
 * The index kept compact as the footer is parsed (see {@link add}): a 20,000
 * table restore held an object and three arrays per stream for its whole run.
 * Here a stream is a position: its id and its run of frames in typed arrays,
 * its frames' offsets, sizes and CRCs in arrays shared by all streams. An
 * entry object is made when a stream is looked up.
 */
export class PackedFrameIndex implements FrameIndex {
  private readonly positions = new Map<string, number>();
  private readonly names: string[] = [];
  private count = 0;
  private streamIds = new Uint32Array(64);
  private frameStart = new Uint32Array(64);
  private frameCount = new Uint32Array(64);
  /** 1 where the entry has CRCs (archives of earlier releases have none). */
  private hasCrcs = new Uint8Array(64);
  private readonly runs = new FrameRuns();

  /**
   * Keeps one entry of the footer's `index` as it is parsed, and gives its
   * position, which the parsed list holds instead. Throws the reason when the
   * entry does not have the footer schema's form (the caller says where).
   */
  add(item: unknown): number {
    const entry = item as Partial<Footer['index'][number]> | null;
    if (typeof entry !== 'object' || entry === null) throw new Error('an index entry is not an object');
    const { name, streamId, frames, sizes, crcs } = entry;
    if (typeof name !== 'string') throw new Error('an index entry has no name');
    if (!isCount(streamId, 0)) throw new Error(`index entry ${name} has no stream id`);
    const n = Array.isArray(frames) ? frames.length : -1;
    if (
      !allCounts(frames, n, 0, Number.MAX_SAFE_INTEGER) ||
      !allCounts(sizes, n, 1, UINT32_MAX) ||
      (crcs !== undefined && !allCounts(crcs, n, 0, UINT32_MAX))
    ) {
      throw new Error(`index entry ${name} does not list its frames' offsets, sizes and CRCs alike`);
    }
    const position = this.count++;
    if (position >= this.streamIds.length) {
      const size = this.streamIds.length * 2;
      this.streamIds = grown(this.streamIds, size);
      this.frameStart = grown(this.frameStart, size);
      this.frameCount = grown(this.frameCount, size);
      this.hasCrcs = grown(this.hasCrcs, size);
    }
    this.streamIds[position] = streamId;
    this.frameStart[position] = this.runs.append(frames!, sizes!, crcs);
    this.frameCount[position] = n;
    this.hasCrcs[position] = crcs === undefined ? 0 : 1;
    // A name given twice: the last entry is the one looked up, as with a map over the parsed entries.
    this.positions.set(name, position);
    this.names.push(name);
    return position;
  }

  get(name: string): IndexedStream | undefined {
    const position = this.positions.get(name);
    return position === undefined ? undefined : this.entry(name, position);
  }

  *all(): Generator<IndexedStream> {
    for (let position = 0; position < this.count; position++)
      yield this.entry(this.names[position]!, position);
  }

  private entry(name: string, position: number): IndexedStream {
    const run = this.runs.run(this.frameStart[position]!, this.frameCount[position]!);
    return {
      name,
      streamId: this.streamIds[position]!,
      frames: run.offsets,
      sizes: run.sizes,
      crcs: this.hasCrcs[position] ? run.crcs : undefined,
    };
  }
}

function isCount(value: unknown, least: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= least;
}

const UINT32_MAX = 0xffffffff;

/** An array of `length` whole numbers from `least` to `most`. */
function allCounts(values: unknown, length: number, least: number, most: number): values is number[] {
  if (!Array.isArray(values) || values.length !== length) return false;
  for (const v of values) if (!isCount(v, least) || v > most) return false;
  return true;
}
