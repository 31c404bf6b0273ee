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
    size;
    max;
    spare = [];
    /**
     * @param size bytes per buffer
     * @param max spare buffers kept at most; more come back only when more were in use at once
     */
    constructor(size, max) {
        this.size = size;
        this.max = max;
    }
    /** A spare buffer, or a new one. */
    take() {
        return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.size);
    }
    /** Keeps the buffer under `view` for reuse when it is one of this pool's; anything else is left to the GC. */
    give(view) {
        const whole = view.buffer;
        if (view.byteOffset !== 0 || !(whole instanceof ArrayBuffer) || whole.byteLength !== this.size)
            return;
        if (this.spare.length < this.max)
            this.spare.push(Buffer.from(whole));
    }
    /** Makes buffers at least `size` bytes from now on; spares of the old size are dropped. */
    growTo(size) {
        if (size <= this.size)
            return;
        this.size = size;
        this.spare.length = 0;
    }
}
//# sourceMappingURL=buffer-pool.js.map