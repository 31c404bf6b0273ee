/**
 * Small frames copied one after another into one buffer, to be handed to a
 * sink as one chunk: the bytes are the same as the frames written one by one.
 * The buffer is made at the first frame and refilled after each {@link take}.
 */
export class GatheredFrames {
  private buffer: Buffer | undefined;
  private filled = 0;
  /** A chunk taken and not yet known to be done with: the next frame goes into a new buffer. */
  private lent = false;

  /** @param capacity bytes gathered at most; a frame must be shorter than a sixteenth of it */
  constructor(private readonly capacity: number) {}

  get empty(): boolean {
    return this.filled === 0;
  }

  /** Whether a frame shorter than a sixteenth of the capacity might not fit: take what is gathered first. */
  get full(): boolean {
    return this.filled > 0 && this.capacity - this.filled < this.capacity / 16;
  }

  /** Copies `frame` in (the caller keeps `frame`); one that does not fit is refused: take first. */
  add(frame: Uint8Array): void {
    if (frame.length > this.capacity)
      throw new RangeError(`a frame of ${frame.length} bytes cannot be gathered`);
    if (this.filled + frame.length > this.capacity)
      throw new RangeError('gathered frames are full: take them first');
    if (!this.buffer || this.lent) {
      this.buffer = Buffer.allocUnsafeSlow(this.capacity);
      this.lent = false;
    }
    this.buffer.set(frame, this.filled);
    this.filled += frame.length;
  }

  /**
   * The frames gathered so far, as one chunk that is the caller's from now
   * on: a sink may keep it (see ByteSink.releasesChunks), so it is never
   * written into again.
   */
  take(): Buffer {
    const chunk = this.buffer!.subarray(0, this.filled);
    this.filled = 0;
    this.lent = true;
    return chunk;
  }

  /** The sink is done with the chunk last taken: the next frames may go into its buffer again. */
  returned(): void {
    this.lent = false;
  }
}
