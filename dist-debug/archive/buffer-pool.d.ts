/**
 * Reusable buffers of one size, for frames that pass through the archive over
 * and over: allocating a fresh 2 MiB buffer per frame leaves a trail the
 * garbage collector only catches up with tens of MiB later.
 *
 * Every buffer owns its whole ArrayBuffer (`allocUnsafeSlow`), so it can move
 * to a codec worker and back without a copy, and a view of it (a frame
 * shorter than the buffer) still identifies it when it comes back.
 */
export declare class BufferPool {
    private size;
    private readonly max;
    private readonly spare;
    /**
     * @param size bytes per buffer
     * @param max spare buffers kept at most; more come back only when more were in use at once
     */
    constructor(size: number, max: number);
    /** A spare buffer, or a new one. */
    take(): Buffer;
    /** Keeps the buffer under `view` for reuse when it is one of this pool's; anything else is left to the GC. */
    give(view: Uint8Array): void;
    /** Makes buffers at least `size` bytes from now on; spares of the old size are dropped. */
    growTo(size: number): void;
}
