// The selected relations' OIDs go to every catalog reader's query as one array literal made once
// (issue 14: thousands of tables), instead of the driver quoting and joining thousands of OIDs
// again for each query.
import { describe, expect, it } from 'vitest';
import { oidArrayParam } from '../../src/engines/postgres/introspect/context.js';

const oids = (n: number, from = 16384) => Array.from({ length: n }, (_, i) => String(from + i));

describe('oidArrayParam', () => {
  it('sends a long list of OIDs as the array literal, the same text for the same list', () => {
    const list = oids(100);
    const text = oidArrayParam(list);
    expect(text).toBe(`{${list.join(',')}}`);
    expect(oidArrayParam(list)).toBe(text);
    expect(oidArrayParam(list.map(Number))).toBe(text);
  });

  it('makes the text again when the list has grown', () => {
    const list = oids(100);
    oidArrayParam(list);
    list.push('99999');
    expect(oidArrayParam(list)).toBe(`{${list.join(',')}}`);
  });

  it('leaves short lists, lists of anything but OIDs, and other values to the driver', () => {
    const short = oids(3);
    expect(oidArrayParam(short)).toBe(short);
    const names = [...oids(99), 'a"b'];
    expect(oidArrayParam(names)).toBe(names);
    const negative = [...oids(99).map(Number), -1];
    expect(oidArrayParam(negative)).toBe(negative);
    expect(oidArrayParam('public')).toBe('public');
    expect(oidArrayParam(null)).toBe(null);
  });
});
