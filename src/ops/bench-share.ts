/**
 * How `stowage bench` shares its read budget between tables/collections, so a
 * big table cannot eat the time of all the others: each unit, when it starts,
 * gets an equal share of the time left (times the parallel connections) among
 * the units not yet finished. A unit estimated to need more than its share is
 * sampled: PostgreSQL reads that fraction of its blocks (decided up front,
 * from the read speed seen so far), MongoDB stops at a batch boundary once
 * the share is spent.
 */
/** Units up to this size are read whole, and a sample is never smaller. */
const MIN_SAMPLE_BYTES = 1024 * 1024;

export class BudgetShare {
  private planned = 0;
  private finished = 0;
  private readBytes = 0;
  private readMs = 0;

  /**
   * @param readEnd when reading must be over (performance.now() time)
   * @param jobs connections reading at once
   * @param assumedBytesPerSecond read speed per connection assumed until some was measured
   */
  constructor(
    private readonly readEnd: number,
    private readonly jobs: number,
    private readonly assumedBytesPerSecond = 32 * 1024 * 1024,
  ) {}

  /** The engine said how many streams it will write. */
  plan(streams: number): void {
    this.planned = Math.max(this.planned, streams);
  }

  /** A stream ended: its speed informs the next shares. */
  done(bytes: number, ms: number): void {
    this.finished++;
    // Streams of a few KiB say more about round trips than about read speed.
    if (bytes >= 256 * 1024 && ms > 0) {
      this.readBytes += bytes;
      this.readMs += ms;
    }
  }

  /** The time (ms) a unit starting now may read. */
  shareMs(now = performance.now()): number {
    const left = Math.max(0, this.readEnd - now);
    const units = Math.max(1, this.planned - this.finished);
    return (left * Math.max(1, this.jobs)) / Math.max(units, this.jobs);
  }

  /** Read speed per connection, bytes/s: measured once there is something to go by. */
  bytesPerSecond(): number {
    return this.readBytes >= 1024 * 1024 && this.readMs > 0
      ? this.readBytes / (this.readMs / 1000)
      : this.assumedBytesPerSecond;
  }

  /** The share of a unit of `estimatedBytes` that fits its time (1: read it all). */
  fraction(estimatedBytes: number, now = performance.now()): number {
    if (!(estimatedBytes > 0)) return 1;
    // A small table costs its round trip whatever share of it is read: it is read whole.
    const fits = Math.max(MIN_SAMPLE_BYTES, (this.shareMs(now) / 1000) * this.bytesPerSecond());
    return fits >= estimatedBytes ? 1 : Math.max(1e-6, fits / estimatedBytes);
  }
}
