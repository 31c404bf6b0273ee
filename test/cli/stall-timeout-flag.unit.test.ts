import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('--stall-timeout', () => {
  it('takes seconds, 0 or more; anything else is bad usage (exit 2) before any server is contacted', async () => {
    for (const command of [
      ['backup', 'postgres://127.0.0.1:1/none', '--to', '/nonexistent/repo'],
      ['restore', '/nonexistent/a.stow', 'postgres://127.0.0.1:1/none', '--yes'],
    ]) {
      for (const value of ['soon', '', '-5']) {
        const run = await runCli([...command, `--stall-timeout=${value}`]);
        expect(run.code, `${command[0]} --stall-timeout=${value}`).toBe(2);
        expect(run.stderr).toContain(`--stall-timeout must be a number of seconds, 0 or more, got ${value}`);
      }
    }
  });
});
