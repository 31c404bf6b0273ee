import { describe, expect, it } from 'vitest';
import { interruptNote } from '../../src/cli/main.js';

describe('the note printed on the first interrupt', () => {
  it('speaks of a partial archive only for commands that write one', () => {
    expect(interruptNote(['backup', 'postgres://h/db', '--to', 'x.stow'])).toMatch(
      /partial archive is removed/,
    );
    expect(interruptNote(['--json', 'daemon', '--config', 'c.yaml'])).toMatch(/partial archive is removed/);
    const restore = interruptNote(['restore', 'x.stow', 'postgres://h/db', '--create']);
    expect(restore).not.toMatch(/archive/);
    expect(restore).toMatch(/created by this restore is dropped/);
    expect(interruptNote(['restore', 'x.stow', 'postgres://h/db', '--create', '--keep-failed'])).toMatch(
      /created by this restore is kept/,
    );
    expect(interruptNote(['verify', 'x.stow'])).toBe('stopping');
  });
});
