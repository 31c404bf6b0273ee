/**
 * A counting semaphore, for bounding work that is not a list of tasks known
 * up front (in-flight insert batches of a stream, say); a list of tasks goes
 * through the scheduler (scheduler.ts).
 */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(permits: number) {
    this.available = Math.max(1, permits);
  }

  async acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter();
    else this.available++;
  }
}
