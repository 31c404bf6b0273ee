// A time budget holds even when the work ignores its signal: once the signal
// aborts, the work is waited for a short grace at most, then left behind.
import { describe, expect, it } from 'vitest';
import { abandonOnAbort } from '../../src/ops/abandon-on-abort.js';

describe('abandonOnAbort', () => {
  it('gives up on work that never ends once the signal aborts, with its reason', async () => {
    const budget = new AbortController();
    const never = new Promise<number>(() => {});
    const waiting = abandonOnAbort(never, budget.signal, 10);
    budget.abort(new Error('bench time budget reached'));
    await expect(waiting).rejects.toThrow('bench time budget reached');
  });

  it('passes through work that ends, value or error, aborted or not', async () => {
    const budget = new AbortController();
    await expect(abandonOnAbort(Promise.resolve(7), budget.signal, 10)).resolves.toBe(7);
    budget.abort(new Error('late'));
    await expect(abandonOnAbort(Promise.reject(new Error('failed')), budget.signal, 60_000)).rejects.toThrow(
      'failed',
    );
  });

  it('lets work that stops within the grace report its own outcome', async () => {
    const budget = new AbortController();
    const stops = new Promise<string>((resolve) =>
      budget.signal.addEventListener('abort', () => setImmediate(() => resolve('stopped'))),
    );
    const waiting = abandonOnAbort(stops, budget.signal, 60_000);
    budget.abort(new Error('budget'));
    await expect(waiting).resolves.toBe('stopped');
  });
});
