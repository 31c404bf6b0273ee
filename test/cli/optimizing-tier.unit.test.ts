import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { maglevRuns } from '../../src/cli/optimizing-tier.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');

/** The tier a hot function reached in a child that said `command` first, and whether Turbofan was turned off. */
async function tierAfter(command: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--allow-natives-syntax', '--import', 'tsx', 'test/cli/optimizing-tier-child.ts', command],
    { cwd: repoRoot, timeout: 60_000 },
  );
  return stdout.trim();
}

describe('V8 tiers for a command (CLI process)', () => {
  it('keeps a backup and a restore to Maglev where Maglev runs, and leaves other commands Turbofan', async () => {
    const [backup, restore, follow] = await Promise.all([
      tierAfter('backup'),
      tierAfter('restore'),
      tierAfter('follow'),
    ]);
    // Where Maglev does not run (Node 22 ships it off), Turbofan stays on: without both, code
    // would never leave the interpreter and Sparkplug.
    const kept = maglevRuns() ? 'maglev true' : 'turbofan false';
    expect(backup).toBe(kept);
    expect(restore).toBe(kept);
    expect(follow).toBe('turbofan false');
  });
});

describe('whether Maglev runs', () => {
  it("follows a --maglev or --no-maglev on Node's command line, the last one given", async () => {
    const said = async (flags: string[]) => {
      const { stdout } = await run(
        process.execPath,
        [
          ...flags,
          '--import',
          'tsx',
          '-e',
          "import('./src/cli/optimizing-tier.ts').then((m) => console.log(m.maglevRuns()))",
        ],
        { cwd: repoRoot, timeout: 60_000 },
      );
      return stdout.trim();
    };
    expect(await said(['--no-maglev'])).toBe('false');
    expect(await said(['--maglev'])).toBe('true');
    expect(await said(['--maglev', '--no-maglev'])).toBe('false');
    expect(await said(['--no-maglev', '--maglev'])).toBe('true');
  });
});
