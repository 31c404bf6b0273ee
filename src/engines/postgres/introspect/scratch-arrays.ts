/**
 * Bytes of the memory blocks {@link ScratchArrays} cuts its arrays from: above
 * glibc's mmap threshold as it stands by then, so each block is a mapping of
 * its own, given back to the system when it is freed. Pages never written cost
 * nothing, so the unused end of the last block is free.
 */
const BLOCK_BYTES = 16 * 1024 * 1024;

/** ES2024's ArrayBuffer.prototype.transfer (Node 22 has it; the project's lib is ES2023). */
type Transferable = ArrayBuffer & { transfer(length: number): ArrayBuffer };

/**
 * Typed arrays for one computation's temporaries, cut from a few large blocks
 * instead of allocated one by one, so that they give their memory back to the
 * system together once the computation is over.
 *
 * Allocated separately, the ~20 arrays of 0.5–2 MiB that ordering 20,000
 * tables' catalog needs (resolve-positions.ts) came from the C heap: by then
 * glibc's mmap threshold had risen past their size (it follows the largest
 * block freed so far), and once they were freed their ~11 MiB stayed in the
 * process's heap segment to the end of the backup, the high-water mark of
 * every later phase (docs/BENCHMARKS.md, "Session 18: bkpeak2"). The blocks
 * are freed by {@link release} (or when the last array cut from them is
 * collected), so no array that outlives the computation may come from here.
 *
 * Arrays come zero-filled (blocks are new ArrayBuffers), as `new Int32Array(n)`.
 */
export class ScratchArrays {
  private readonly blocks: ArrayBuffer[] = [];
  private block: ArrayBuffer | undefined;
  private used = 0;

  int32(length: number): Int32Array {
    return new Int32Array(this.take(length * 4, 4), this.used - length * 4, length);
  }

  float64(length: number): Float64Array {
    return new Float64Array(this.take(length * 8, 8), this.used - length * 8, length);
  }

  uint8(length: number): Uint8Array {
    return new Uint8Array(this.take(length, 1), this.used - length, length);
  }

  /**
   * Gives the blocks back now, not when the collector comes to them: every array cut from them is
   * empty from here on (its buffer is detached), and reading one gives `undefined`. Arrays taken
   * after this come from new blocks.
   */
  release(): void {
    // Transferring detaches the block and frees its memory at once.
    for (const block of this.blocks) (block as Transferable).transfer(0);
    this.blocks.length = 0;
    this.block = undefined;
    this.used = 0;
  }

  /** The block `bytes` more are taken from, aligned to `align`; `used` ends after them. */
  private take(bytes: number, align: number): ArrayBuffer {
    let start = Math.ceil(this.used / align) * align;
    if (!this.block || start + bytes > this.block.byteLength) {
      // A request larger than a block gets a block of its size.
      this.block = new ArrayBuffer(Math.max(BLOCK_BYTES, bytes));
      this.blocks.push(this.block);
      start = 0;
    }
    this.used = start + bytes;
    return this.block;
  }
}

/** A zero-filled array from `scratch` when one is given, else one of its own. */
export function int32(scratch: ScratchArrays | undefined, length: number): Int32Array {
  return scratch ? scratch.int32(length) : new Int32Array(length);
}

/** As {@link int32}. */
export function float64(scratch: ScratchArrays | undefined, length: number): Float64Array {
  return scratch ? scratch.float64(length) : new Float64Array(length);
}

/** As {@link int32}. */
export function uint8(scratch: ScratchArrays | undefined, length: number): Uint8Array {
  return scratch ? scratch.uint8(length) : new Uint8Array(length);
}
