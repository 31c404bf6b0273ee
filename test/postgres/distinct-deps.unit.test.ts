import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distinctDeps } from '../../src/engines/postgres/introspect/context.js';

describe('distinctDeps', () => {
  it('is the list without repeats and without itself, first occurrences in order', () => {
    const id = fc.constantFrom('table:a', 'table:b', 'index:c', 'schema:d', 'self');
    fc.assert(
      fc.property(fc.array(id, { maxLength: 14 }), (deps) => {
        const expected = [...new Set(deps)].filter((d) => d !== 'self');
        expect(distinctDeps([...deps], 'self')).toEqual(expected);
      }),
    );
  });

  it('keeps the very array when there is nothing to drop', () => {
    const deps = ['schema:public', 'type:public.t'];
    expect(distinctDeps(deps, 'table:public.x')).toBe(deps);
    expect(distinctDeps(['a', 'a'], 'x')).toEqual(['a']);
    expect(distinctDeps(['x'], 'x')).toEqual([]);
  });
});
