// Where a backup's COPY tasks run (issue 14, thousands of small tables): each session twice when every
// table is small, so the next batch's query waits in the driver and goes out the moment the server has
// answered the last one; once each when a big table, a part of one or large objects are among them.
import { describe, expect, it } from 'vitest';
import { copyPlaces, SMALL_TABLE_BYTES } from '../../src/engines/postgres/copy-places.js';
import type { TablePart } from '../../src/engines/postgres/table-parts.js';

const small = (i: number): TablePart => ({ stream: `public.t${i}`, estimatedRows: 50, estimatedBytes: 8192 });
const sessions = ['leader', 'helper'];
const smallOnly = Array.from({ length: 300 }, (_, i) => small(i));

describe('copyPlaces', () => {
  it('gives each session two places when every table is small', () => {
    expect(copyPlaces(sessions, smallOnly, { batching: true, largeObjects: false })).toEqual([
      'leader',
      'helper',
      'leader',
      'helper',
    ]);
  });

  it('gives each session one place with a big table, a part of one, large objects, or no batching', () => {
    const big: TablePart = {
      stream: 'public.big',
      estimatedRows: 1e6,
      estimatedBytes: SMALL_TABLE_BYTES + 1,
    };
    const part: TablePart = { ...small(0), stream: 'public.t0.1', fromBlock: 0, toBlock: 8 };
    const once = { batching: true, largeObjects: false };
    expect(copyPlaces(sessions, [...smallOnly, big], once)).toEqual(sessions);
    expect(copyPlaces(sessions, [part, ...smallOnly], once)).toEqual(sessions);
    expect(copyPlaces(sessions, smallOnly, { batching: true, largeObjects: true })).toEqual(sessions);
    expect(copyPlaces(['pglite'], smallOnly, { batching: false, largeObjects: false })).toEqual(['pglite']);
  });
});
