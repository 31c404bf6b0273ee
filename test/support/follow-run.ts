// `follow` into a repository in-process for a test: one-second segments, every event kept, stopped
// when the test has written what it needs.
import { type FollowEvent, type FollowSummary, follow } from '../../src/ops/follow.js';

export interface FollowRun {
  /** Every event so far, in order. */
  events: FollowEvent[];
  /** Stops following (as Ctrl-C does) and waits for the last segment. */
  stop(): Promise<FollowSummary>;
}

export function startFollow(source: string, to: string): FollowRun {
  const events: FollowEvent[] = [];
  const controller = new AbortController();
  const running = follow({
    source,
    to,
    segmentSeconds: 1,
    readWaitMs: 200,
    signal: controller.signal,
    onEvent: (e) => events.push(e),
  });
  running.catch(() => {});
  return {
    events,
    stop: () => {
      controller.abort();
      return running;
    },
  };
}
