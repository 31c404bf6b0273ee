import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `check` holds, polling every 50 ms; fails naming `what` after `ms`. `what` may be a
 * function: it is asked at the timeout, so it can tell the state then (a process's stderr so far).
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string | (() => string | Promise<string>),
  ms = 90_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const said = typeof what === 'string' ? what : await what();
      throw new Error(`timed out waiting for ${said}`);
    }
    await sleep(50);
  }
}
