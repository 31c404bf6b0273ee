// The stall watchdog's liveness probe is a whole connection to the database: a run that keeps
// moving must not pay for one; a run gone quiet (DDL, index builds) still gets probed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StallWatchdog } from '../../src/ops/stall-watchdog.js';

describe('the stall watchdog probes the database only once the run has gone quiet', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('no probe while phases follow each other; one once nothing moved for a quarter of the timeout', async () => {
    const alive = vi.fn(async () => {});
    // 4 s timeout: checked every second, quiet after 1 s without movement.
    const watchdog = new StallWatchdog(4, 'PostgreSQL at db:5432', 'storage at /r', alive);
    const listener = watchdog.watchProgress(() => {});
    try {
      // A short run: catalog reads and DDL, a phase every 200 ms, no table being copied.
      for (let i = 0; i < 15; i++) {
        listener({ type: 'phase', phase: 'schema' });
        await vi.advanceTimersByTimeAsync(200);
      }
      expect(alive).not.toHaveBeenCalled();
      // An index build: nothing moves; the probe stands in for movement.
      await vi.advanceTimersByTimeAsync(2500);
      expect(alive).toHaveBeenCalled();
      expect(watchdog.error).toBeUndefined();
    } finally {
      watchdog.stop();
    }
  });
});
