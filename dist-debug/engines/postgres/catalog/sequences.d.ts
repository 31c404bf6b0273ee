import type { PgSequenceValue } from '../model.js';
import { type CatalogContext, type CatalogObject } from './context.js';
/** Sequence parameters, as `pg_sequence` holds them (bigints as text). */
export interface SequenceParams {
    seqtype: string;
    seqstart: string;
    seqincrement: string;
    seqmin: string;
    seqmax: string;
    seqcache: string;
    seqcycle: boolean;
}
/** The options clause shared by CREATE SEQUENCE and identity columns (whose type is the column's). */
export declare function sequenceOptions(p: SequenceParams, withType?: boolean): string;
export interface SequencesRead {
    objects: CatalogObject[];
    /** Every selected sequence (identity ones too), whose current value the backup records. */
    all: {
        oid: string;
        schema: string;
        name: string;
        relation?: {
            schema: string;
            name: string;
        };
    }[];
    /** Identity sequence parameters by owning `table oid:attnum`, for the table reader. */
    identity: Map<string, SequenceParams & {
        schema: string;
        name: string;
    }>;
}
/**
 * Sequences. Identity sequences are created by their column and only carry a
 * value; serial-style sequences get `ALTER SEQUENCE ... OWNED BY` once their
 * table exists.
 */
export declare function readSequences(ctx: CatalogContext): Promise<SequencesRead>;
/**
 * Reads the current value of every sequence, inside the backup snapshot's
 * transaction (sequence reads are not transactional, so this is as close to
 * the snapshot as pg_dump gets too).
 */
export declare function readSequenceValues(ctx: CatalogContext, sequences: SequencesRead['all']): Promise<PgSequenceValue[]>;
