/**
 * Reusable buffers of one size, for frames that pass through the archive over
 * and over: allocating a fresh 2 MiB buffer per frame leaves a trail the
 * garbage collector only catches up with tens of MiB later.
 *
 * Every buffer owns its whole ArrayBuffer (`allocUnsafeSlow`), so it can move
 * to a codec worker and back without a copy, and a view of it (a frame
 * shorter than the buffer) still identifies it when it comes back.
 */
export class BufferPool {
  private readonly spare: Buffer[] = [];

  /**
   * @param size bytes per buffer
   * @param max spare buffers kept at most; more come back only when more were in use at once
   */
  constructor(
    private size: number,
    private readonly max: number,
  ) {}

  /** A spare buffer, or a new one. */
  take(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /**
   * Keeps the buffer under `view` for reuse when it is one of this pool's: a
   * view that starts an ArrayBuffer of its own of the pool's size. Anything
   * else is left to the GC.
   */
  give(view: Uint8Array): void {
    const whole = view.buffer;
    if (view.byteOffset !== 0 || !(whole instanceof ArrayBuffer) || whole.byteLength !== this.size) return;
    if (isSharedSlab(whole)) return;
    if (this.spare.length < this.max) this.spare.push(Buffer.from(whole));
  }

  /** Makes buffers at least `size` bytes from now on; spares of the old size are dropped. */
  growTo(size: number): void {
    if (size <= this.size) return;
    this.size = size;
    this.spare.length = 0;
  }
}

let untransferable: ((whole: ArrayBuffer) => boolean) | undefined;

/**
 * Whether `whole` is Node's shared slab for small buffers (`Buffer.allocUnsafe`
 * and `Buffer.from` of less than half of `Buffer.poolSize` slice one): the one
 * ArrayBuffer a view can start and match a pool's size with while other,
 * live Buffers share it. Taken as a frame buffer it would be overwritten under
 * them, and a codec worker could not be sent it (Node marks it untransferable:
 * DataCloneError). A short view cannot tell by its shape, so Node is asked, but
 * only for a slab's size: loading worker_threads costs a run about a millisecond.
 */
function isSharedSlab(whole: ArrayBuffer): boolean {
  if (whole.byteLength !== Buffer.poolSize) return false;
  // Node 21+ (every supported version); the installed @types/node predates it.
  untransferable ??= (
    process.getBuiltinModule('node:worker_threads') as unknown as {
      isMarkedAsUntransferable(value: object): boolean;
    }
  ).isMarkedAsUntransferable;
  return untransferable(whole);
}
