import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { tickWriter } from '../../src/cli/tick-writer.js';

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('tickWriter', () => {
  it('sends what one tick wrote in one write, in order, when the tick ends', async () => {
    const writes: string[] = [];
    const out = tickWriter({ write: (text: string) => writes.push(text) });
    for (let i = 0; i < 100; i++) out.write(`done public.t${i}\n`);
    out.write('');
    expect(writes).toEqual([]);
    await nextTick();
    expect(writes).toEqual([Array.from({ length: 100 }, (_, i) => `done public.t${i}\n`).join('')]);
  });

  it('sends at once on flush, and each later tick on its own', async () => {
    const writes: string[] = [];
    const out = tickWriter({ write: (text: string) => writes.push(text) });
    out.write('a\n');
    out.flush();
    expect(writes).toEqual(['a\n']);
    out.write('b\n');
    await nextTick();
    out.write('c\n');
    await nextTick();
    await nextTick();
    expect(writes).toEqual(['a\n', 'b\n', 'c\n']);
  });
});

describe('the CLI on a non-interactive stderr', () => {
  it('has written everything to stderr by the time main() returns', async () => {
    const writes: string[] = [];
    const code = await main(['backup', 'postgres://nobody@127.0.0.1:1/none', '--to', '-', '--json'], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => writes.push(text) },
      interactive: false,
    });
    expect(code).not.toBe(0);
    // The failure line is there although main returned in the tick it was written in.
    expect(writes.join('')).toMatch(/--json and --to - both write to stdout/);
  });
});
