import type { Prompter } from './context.js';
/**
 * Prompts on the terminal through @inquirer/prompts, drawn on stderr so that
 * stdout stays clean for --json output. The library loads on the first prompt:
 * most runs never ask anything, and it is some 120 ms of start-up.
 */
export declare function terminalPrompter(signal: AbortSignal): Prompter;
