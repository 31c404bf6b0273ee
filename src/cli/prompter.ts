import { confirm, select } from '@inquirer/prompts';
import type { Prompter } from './context.js';

/**
 * Prompts on the terminal through @inquirer/prompts, drawn on stderr so that
 * stdout stays clean for --json output.
 */
export function terminalPrompter(signal: AbortSignal): Prompter {
  const context = { output: process.stderr, signal };
  return {
    confirm: (message, defaultAnswer) => confirm({ message, default: defaultAnswer }, context),
    select: (message, choices) => select({ message, choices, pageSize: 15 }, context),
  };
}
