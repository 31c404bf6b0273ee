import { describe, expect, it } from 'vitest';
import { TaskIds } from '../../src/scheduler/task-ids.js';

/** Indexes `ids` in order, with the hash given (the real one by default). */
const indexed = (ids: string[], hash?: (id: string) => readonly [number, number]) => {
  const index = new TaskIds(ids.length, (i) => ids[i] as string, hash);
  ids.forEach((id, i) => {
    index.add(id, i);
  });
  return index;
};

describe('TaskIds', () => {
  it("finds each of 100,000 restore-like ids at its task's number, and no id that is not there", () => {
    const ids: string[] = [];
    for (let t = 0; t < 25_000; t++) {
      const name = `t${String(t).padStart(5, '0')}`;
      ids.push(
        `index:public.${name}_pkey`,
        `index:public.${name}_label`,
        `constraint:public.${name}.${name}_parent`,
      );
      ids.push(`d${t.toString(16)}`);
    }
    const index = indexed(ids);
    // Counted, not one expect each: the mismatches are what a failure shows.
    expect(ids.filter((id, i) => index.indexOf(id) !== i)).toEqual([]);
    for (const absent of [
      '',
      'index:public.t25000_pkey',
      'index:public.t00001_pkey ',
      'INDEX:public.t00001_pkey',
    ])
      expect(index.indexOf(absent)).toBe(-1);
  });

  it('tells apart ids of any characters, by every code unit', () => {
    const ids = ['a', 'b', 'ab', 'ba', 'é', 'e\u0301', '😀', '\ud83d', '\0', '\0\0', 'x'.repeat(10_000)];
    const index = indexed(ids);
    expect(ids.map((id) => index.indexOf(id))).toEqual(ids.map((_, i) => i));
    expect(index.indexOf('x'.repeat(9_999))).toBe(-1);
  });

  it('refuses two tasks with one id', () => {
    expect(() => indexed(['a', 'b', 'a'])).toThrow('two tasks have the id "a"');
  });

  it('keeps ids whose hashes collide apart by their text, and finds none of the others there', () => {
    // Every id hashes alike: each look-up must be settled by the strings.
    const same = () => [7, 9] as const;
    const index = indexed(['a', 'b', 'c'], same);
    expect([index.indexOf('a'), index.indexOf('b'), index.indexOf('c')]).toEqual([0, 1, 2]);
    expect(index.indexOf('d')).toBe(-1);
    expect(() => indexed(['a', 'b', 'a'], same)).toThrow('two tasks have the id "a"');
    // Colliding in the first hash alone is no collision.
    const firstOnly = (id: string) => [1, id.length] as const;
    const partly = indexed(['a', 'bb', 'ccc'], firstOnly);
    expect([
      partly.indexOf('a'),
      partly.indexOf('bb'),
      partly.indexOf('ccc'),
      partly.indexOf('dddd'),
    ]).toEqual([0, 1, 2, -1]);
  });
});
