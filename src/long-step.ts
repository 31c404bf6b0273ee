import { tracingChannel } from 'node:diagnostics_channel';

/** What a {@link longStep} publishes: the step's name, for subscribers that log it. */
export interface LongStepContext {
  what: string;
}

/**
 * Where long synchronous steps are announced: parsing a large footer, checking
 * and planning thousands of objects. Nothing runs between tasks while one runs,
 * so a process that keeps its heap in shape from the event loop (the CLI's cap
 * on V8's young generation, cli/young-generation.ts) cannot act during it; it
 * subscribes here instead, and is told synchronously at its start and end.
 * A library's host that subscribes nothing pays one check per step.
 */
export const longSteps = tracingChannel<unknown, LongStepContext>('stowage:long-step');

/** Runs `step` (synchronous, long) as a long step: subscribers hear of it before it starts and after it ends. */
export function longStep<T>(what: string, step: () => T): T {
  if (!longSteps.hasSubscribers) return step();
  return longSteps.traceSync(step, { what });
}
