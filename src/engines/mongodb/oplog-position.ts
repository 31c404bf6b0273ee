import { Timestamp } from 'mongodb';
import { UsageError } from '../../errors.js';

/**
 * MongoDB change positions: an oplog timestamp written `seconds:increment`
 * (as the shell prints `Timestamp({ t, i })`), e.g. `1700000000:5`.
 */

const POSITION = /^(\d{1,10}):(\d{1,10})$/;

/** The position text of an oplog timestamp. */
export function formatOplogPosition(ts: Timestamp): string {
  return `${ts.high >>> 0}:${ts.low >>> 0}`;
}

/** The oplog timestamp of a position; throws UsageError for anything else. */
export function parseOplogPosition(text: string): Timestamp {
  const m = POSITION.exec(text.trim());
  const t = m ? Number(m[1]) : Number.NaN;
  const i = m ? Number(m[2]) : Number.NaN;
  if (!m || t > 0xffffffff || i > 0xffffffff) {
    throw new UsageError(
      `"${text}" is not an oplog timestamp`,
      'give it as seconds:increment, e.g. --until-ts 1700000000:5 (the t and i of Timestamp({ t, i }))',
    );
  }
  return Timestamp.fromBits(i, t);
}

/** Orders two positions like a sort comparator. */
export function compareOplogPositions(a: string, b: string): number {
  const x = parseOplogPosition(a);
  const y = parseOplogPosition(b);
  return x.high >>> 0 !== y.high >>> 0 ? (x.high >>> 0) - (y.high >>> 0) : (x.low >>> 0) - (y.low >>> 0);
}
