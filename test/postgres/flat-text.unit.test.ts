import { describe, expect, it } from 'vitest';
import { flat } from '../../src/engines/postgres/flat-text.js';
import { isFlatString } from '../support/v8-strings.js';

describe('flat', () => {
  it('gives the text of the untagged template literal, values converted as a template converts them', () => {
    const table = `public.${'t'.repeat(20)}`;
    const values = [table, 42, null, undefined, true, 10n, { toString: () => 'obj' }] as const;
    const [a, b, c, d, e, f, g] = values;
    expect(flat`ALTER TABLE ${a} (\n  ${b}, ${c}, ${d}, ${e}, ${f}, ${g}\n)`).toBe(
      `ALTER TABLE ${a} (\n  ${b}, ${c}, ${d}, ${e}, ${f}, ${g}\n)`,
    );
    expect(flat`${a}`).toBe(a);
    expect(flat`no values`).toBe('no values');
    expect(flat``).toBe('');
  });

  it.skipIf(!isFlatString)(
    'makes one flat string where the template literal makes a tree of concatenations',
    () => {
      const isFlat = isFlatString as (s: string) => boolean;
      const schema = `s${Math.random()}`;
      const name = `n${Math.random()}`;
      expect(isFlat(`table:${schema}.${name}`)).toBe(false);
      expect(isFlat(flat`table:${schema}.${name}`)).toBe(true);
    },
  );
});
