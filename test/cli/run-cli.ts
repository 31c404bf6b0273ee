// Runs the stowage CLI in-process with captured output, and optionally as if
// a person were at a terminal answering prompts.
import type { Prompter } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON object --json prints. */
  json<T = Record<string, unknown>>(): T;
}

export async function runCli(
  argv: string[],
  options: { prompt?: Prompter; interactive?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    interactive: options.interactive ?? false,
    prompt: options.prompt ?? {
      confirm: async () => {
        throw new Error('unexpected confirm prompt');
      },
      select: async () => {
        throw new Error('unexpected select prompt');
      },
    },
  });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}

/** A scripted person: answers select prompts by index (0 = first shown) and confirm prompts in order. */
export function scriptedPrompter(answers: { select?: number[]; confirm?: boolean[] }) {
  const asked: string[] = [];
  const prompt: Prompter = {
    async confirm(message) {
      asked.push(message);
      const answer = answers.confirm?.shift();
      if (answer === undefined) throw new Error(`no scripted answer for: ${message}`);
      return answer;
    },
    async select(message, choices) {
      asked.push(message);
      const index = answers.select?.shift();
      if (index === undefined) throw new Error(`no scripted answer for: ${message}`);
      return choices[index]!.value;
    },
  };
  return { prompt, asked };
}
