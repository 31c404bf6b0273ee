/**
 * How `stowage bench` shares its read budget between tables/collections, so a
 * big table cannot eat the time of all the others and a thousand small ones
 * cannot starve a big one. When a unit starts, the time left (times the
 * parallel connections) is shared among it and the units not started yet by
 * water-filling on their estimated read times: a unit that needs less than an
 * equal share gets what it needs, the others an equal cut of the rest. A unit
 * that needs more than its share is sampled: PostgreSQL reads that fraction
 * of its blocks (decided up front, from the read speed seen so far), MongoDB
 * stops at a batch boundary once the share is spent.
 */

/** Units up to this size are read whole, and a sample is never smaller. */
const MIN_SAMPLE_BYTES = 1024 * 1024;

export class BudgetShare {
  /** Estimated bytes of the planned streams not started yet. */
  private readonly waiting = new Map<string, number>();
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

  /** The engine said which streams it will write, with their estimated sizes. */
  plan(streams: { name: string; estimatedBytes?: number }[]): void {
    for (const s of streams) this.waiting.set(s.name, Math.max(0, s.estimatedBytes ?? 0));
  }

  /** A stream ended: its speed informs the next shares. */
  done(bytes: number, ms: number): void {
    // Streams of a few KiB say more about round trips than about read speed.
    if (bytes >= 256 * 1024 && ms > 0) {
      this.readBytes += bytes;
      this.readMs += ms;
    }
  }

  /** Read speed per connection, bytes/s: measured once there is something to go by. */
  bytesPerSecond(): number {
    return this.readBytes >= 1024 * 1024 && this.readMs > 0
      ? this.readBytes / (this.readMs / 1000)
      : this.assumedBytesPerSecond;
  }

  /**
   * Starts stream `name` (estimated `estimatedBytes`) now: the bytes it may
   * read in its share of the time. Every stream is started once.
   */
  start(name: string, estimatedBytes: number, now = performance.now()): number {
    this.waiting.delete(name);
    if (!(estimatedBytes > MIN_SAMPLE_BYTES)) return Number.POSITIVE_INFINITY;
    const rate = this.bytesPerSecond();
    const left = (Math.max(0, this.readEnd - now) / 1000) * rate * Math.max(1, this.jobs);
    // Water-filling over this unit and those still waiting: the level is the most any one of them gets.
    const needs = [estimatedBytes, ...this.waiting.values()].sort((a, b) => a - b);
    let rest = left;
    let level = left;
    for (let i = 0; i < needs.length; i++) {
      const equal = rest / (needs.length - i);
      if (needs[i]! >= equal) {
        level = equal;
        break;
      }
      rest -= needs[i]!;
      level = Number.POSITIVE_INFINITY;
    }
    return Math.max(MIN_SAMPLE_BYTES, level);
  }

  /**
   * Starts unit `name` whose size is unknown (MongoDB's plan counts
   * documents, not bytes): the time it may read, ms, an equal cut of the time
   * left among it and the units not started yet. What a small unit leaves
   * unused goes to those after it.
   */
  startTimed(name: string, now = performance.now()): number {
    this.waiting.delete(name);
    const left = Math.max(0, this.readEnd - now) * Math.max(1, this.jobs);
    return left / Math.max(this.waiting.size + 1, this.jobs);
  }

  /** The share of a unit of `estimatedBytes` that fits the bytes it may read (1: read it all). */
  static fraction(estimatedBytes: number, allowedBytes: number): number {
    if (!(estimatedBytes > 0) || allowedBytes >= estimatedBytes) return 1;
    return Math.max(1e-6, allowedBytes / estimatedBytes);
  }

  /** The time a unit allowed `allowedBytes` may read, ms (MongoDB: stopped once it is spent). */
  timeFor(allowedBytes: number): number {
    return Number.isFinite(allowedBytes)
      ? (allowedBytes / this.bytesPerSecond()) * 1000
      : Number.POSITIVE_INFINITY;
  }
}
