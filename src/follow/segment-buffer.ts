import type { ChangeTransaction } from '../engines/engine.js';

/** When a segment is cut: whichever comes first. */
export interface SegmentLimits {
  /** Age of the segment's first transaction, ms. */
  maxAgeMs: number;
  /** Bytes of payload held. */
  maxBytes: number;
}

/**
 * The open segment: transactions read from the feed and not yet published.
 * It is cut when its first transaction has waited `maxAgeMs` (that bounds the
 * data a crash can lose to the segment interval) or it holds `maxBytes`
 * (that bounds memory). Times are passed in, so the rule is testable without clocks.
 */
export class SegmentBuffer {
  private held: ChangeTransaction[] = [];
  private heldBytes = 0;
  private openedAt: number | undefined;

  constructor(private readonly limits: SegmentLimits) {}

  /** Adds transactions read at `now`. */
  add(transactions: ChangeTransaction[], now: number): void {
    if (transactions.length === 0) return;
    this.openedAt ??= now;
    for (const t of transactions) {
      this.held.push(t);
      this.heldBytes += t.payload.length;
    }
  }

  get size(): number {
    return this.held.length;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Whether the segment must be cut now. An empty segment never is. */
  due(now: number): boolean {
    if (this.held.length === 0 || this.openedAt === undefined) return false;
    return this.heldBytes >= this.limits.maxBytes || now - this.openedAt >= this.limits.maxAgeMs;
  }

  /** Hands over the held transactions, in order, and starts a new segment. */
  take(): ChangeTransaction[] {
    const out = this.held;
    this.held = [];
    this.heldBytes = 0;
    this.openedAt = undefined;
    return out;
  }
}
