import { grown } from './grown-array.js';

/**
 * Data frames' offsets, total sizes and payload CRCs for many streams, in
 * three typed arrays shared by all: each stream's frames are one run, found by
 * where it starts and how long it is. What the writer's stream records and the
 * reader's packed index keep instead of three number lists per stream.
 */
export class FrameRuns {
  private length = 0;
  // Offsets go past 4 GiB: as doubles, exact to 2^53.
  private offsets = new Float64Array(256);
  private sizes = new Uint32Array(256);
  private crcs = new Uint32Array(256);

  /** Appends a run (CRCs absent: zeros) and gives where it starts. */
  append(offsets: ArrayLike<number>, sizes: ArrayLike<number>, crcs: ArrayLike<number> | undefined): number {
    const start = this.length;
    const needed = start + offsets.length;
    if (needed > this.offsets.length) {
      let size = this.offsets.length * 2;
      while (size < needed) size *= 2;
      this.offsets = grown(this.offsets, size);
      this.sizes = grown(this.sizes, size);
      this.crcs = grown(this.crcs, size);
    }
    this.offsets.set(offsets, start);
    this.sizes.set(sizes, start);
    if (crcs !== undefined) this.crcs.set(crcs, start);
    this.length = needed;
    return start;
  }

  /** A run's three arrays, as views: valid until the next append. */
  run(start: number, count: number): { offsets: Float64Array; sizes: Uint32Array; crcs: Uint32Array } {
    const end = start + count;
    return {
      offsets: this.offsets.subarray(start, end),
      sizes: this.sizes.subarray(start, end),
      crcs: this.crcs.subarray(start, end),
    };
  }
}
