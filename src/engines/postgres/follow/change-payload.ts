import { StowageError } from '../../../errors.js';
import type { RelationColumn, TupleValue } from './pgoutput.js';

/**
 * The payload of one PostgreSQL change transaction as stored in a segment:
 * UTF-8 JSON, self-contained. It carries the description of every relation it
 * touches (names, replica identity, columns), so replay needs nothing else;
 * values are the server's text output (see pgoutput.ts), NULL, or
 * {@link UNCHANGED_TOAST} for a TOASTed value an UPDATE left alone.
 */

export const PAYLOAD_VERSION = 1;

export interface PayloadRelation {
  id: number;
  schema: string;
  name: string;
  replicaIdentity: string;
  columns: RelationColumn[];
}

export type PayloadChange =
  | { op: 'insert'; rel: number; new: TupleValue[] }
  | { op: 'update'; rel: number; key?: TupleValue[]; old?: TupleValue[]; new: TupleValue[] }
  | { op: 'delete'; rel: number; key?: TupleValue[]; old?: TupleValue[] }
  | { op: 'truncate'; rels: number[]; restartIdentity: boolean };

/** A sequence's state when the transaction's batch was read (sequences are not in the WAL stream). */
export interface PayloadSequence {
  schema: string;
  name: string;
  /** As text: bigint. */
  lastValue: string;
}

export interface ChangePayload {
  v: typeof PAYLOAD_VERSION;
  xid: number;
  relations: PayloadRelation[];
  changes: PayloadChange[];
  /** Set after the transaction's changes (replay: `setval`); only those that moved since the last record. */
  sequences?: PayloadSequence[];
}

export function encodePayload(payload: ChangePayload): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

export function decodePayload(bytes: Buffer, position: string): ChangePayload {
  let value: ChangePayload;
  try {
    value = JSON.parse(bytes.toString('utf8')) as ChangePayload;
  } catch (err) {
    throw new StowageError('pg-error', `change transaction ${position} does not parse`, undefined, {
      cause: err,
    });
  }
  if (value?.v !== PAYLOAD_VERSION || !Array.isArray(value.changes) || !Array.isArray(value.relations))
    throw new StowageError(
      'pg-error',
      `change transaction ${position} has an unknown format (version ${String(value?.v)})`,
      'restore it with the Stowage version that wrote it, or a newer one',
    );
  return value;
}
