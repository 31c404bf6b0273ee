import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

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
  it('keeps a backup and a restore to Maglev, and leaves other commands Turbofan', async () => {
    const [backup, restore, follow] = await Promise.all([
      tierAfter('backup'),
      tierAfter('restore'),
      tierAfter('follow'),
    ]);
    expect(backup).toBe('maglev true');
    expect(restore).toBe('maglev true');
    expect(follow).toBe('turbofan false');
  });
});
