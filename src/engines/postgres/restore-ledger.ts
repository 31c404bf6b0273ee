import { StowageError } from '../../errors.js';

/**
 * Keeps count of what a restore has applied, so a failure can say how far it
 * got (the target is left partly restored unless the restore ran in one
 * transaction).
 */
export class RestoreLedger {
  private readonly counts = new Map<string, { done: number; total: number; unit: string }>();
  /** True while everything runs in one transaction (a failure then applies nothing). */
  singleTransaction = false;

  plan(step: string, total: number, unit: string): void {
    this.counts.set(step, { done: 0, total, unit });
  }

  tick(step: string): void {
    const c = this.counts.get(step);
    if (c) c.done++;
  }

  /**
   * Table data committed so far, counted by part (one archive stream) as each
   * commits: a table split into parts is not complete until its last part is,
   * but the rows of its committed parts are in the target all the same.
   */
  private readonly data = { parts: 0, totalParts: 0, rows: 0 };

  planParts(total: number): void {
    this.data.totalParts = total;
  }

  /** One part's rows are committed. */
  partCommitted(rows: number): void {
    this.data.parts++;
    this.data.rows += rows;
  }

  /** Rows of a part that failed part way but whose rows so far stay committed (INSERT loads). */
  rowsCommitted(rows: number): void {
    this.data.rows += rows;
  }

  /** e.g. `pre-data 40/40 objects, data 3/12 tables (5/20 parts, 1,204,330 rows committed), post-data 0/35 objects`. */
  describe(): string {
    const parts = [...this.counts]
      .filter(([, c]) => c.total > 0)
      .map(([step, c]) => {
        const line = `${step} ${c.done}/${c.total} ${c.unit}`;
        if (step !== 'data' || this.data.totalParts === 0) return line;
        return `${line} (${this.data.parts}/${this.data.totalParts} parts, ${this.data.rows.toLocaleString('en-US')} rows committed)`;
      });
    return parts.length ? parts.join(', ') : 'nothing';
  }

  /** Wraps a failure in an error whose message says what was already applied. */
  failure(err: unknown): StowageError {
    const cause = err instanceof StowageError ? err : undefined;
    const message = err instanceof Error ? err.message : String(err);
    const applied = this.singleTransaction
      ? 'nothing was applied (the single transaction was rolled back)'
      : `already applied: ${this.describe()}`;
    return new StowageError(
      cause?.code ?? 'restore-failed',
      `restore failed: ${message}; ${applied}`,
      cause?.hint ??
        (this.singleTransaction
          ? 'fix the cause and run the restore again'
          : 'fix the cause, then restore again with --clean (or into a new database)'),
      { cause: err },
    );
  }
}
