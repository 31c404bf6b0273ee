import { UsageError } from '../../../errors.js';

/**
 * PostgreSQL log sequence numbers: 64-bit WAL positions, written the server's
 * way as two hex halves (`16/B374D848`). They are the feed's change positions.
 */

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Whether `text` is an LSN as the server prints it. */
export function isLsn(text: string): boolean {
  return LSN_TEXT.test(text);
}

/** An LSN's 64-bit value; throws UsageError on anything else. */
export function lsnValue(text: string): bigint {
  const m = LSN_TEXT.exec(text.trim());
  if (!m)
    throw new UsageError(
      `not a PostgreSQL LSN: ${text}`,
      'give it as the server prints it, two hex numbers such as 16/B374D848 (SELECT pg_current_wal_lsn())',
    );
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** The server's spelling of an LSN (upper-case hex halves, no leading zeros). */
export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Sort order of two LSNs in text form. */
export function compareLsn(a: string, b: string): number {
  const x = lsnValue(a);
  const y = lsnValue(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** PostgreSQL's epoch (2000-01-01) in Unix milliseconds: replication timestamps count from it. */
export const PG_EPOCH_MS = 946_684_800_000;

/** A replication timestamp (µs since 2000-01-01) as Unix milliseconds. */
export function pgTimeToMs(micros: bigint): number {
  return PG_EPOCH_MS + Number(micros / 1000n);
}

/** Unix milliseconds as a replication timestamp. */
export function msToPgTime(ms: number): bigint {
  return BigInt(Math.round(ms - PG_EPOCH_MS)) * 1000n;
}
