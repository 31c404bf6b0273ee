// Store addresses on the command line: an address no store serves, and the
// in-process memory store (a command's archive would vanish with it), are
// usage errors before anything is written.
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('store addresses on the command line', () => {
  it('refuses memory:// (the archive would be gone when the command ends) and unknown schemes, exit 2', async () => {
    for (const [argv, message] of [
      [['list', 'memory://space/prod'], 'memory:// keeps archives only inside one process'],
      [['backup', 'postgres://127.0.0.1:1/none', '--to', 'memory://space/prod'], 'memory:// keeps archives'],
      [['inspect', 'memory://space/prod/a.stow'], 'memory:// keeps archives'],
      [['status', 'gs://bucket/prod'], 'no store serves gs:// addresses'],
    ] as const) {
      const run = await runCli([...argv]);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr, argv.join(' ')).toContain(message);
      expect(run.stderr).not.toContain('memory://,');
    }
  });
});
