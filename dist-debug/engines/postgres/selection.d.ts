import type { PgObject, PgSequenceValue, PgTableData, PostgresSchema } from './model.js';
import { type NameFilterOptions } from './patterns.js';
/** What a selective restore will touch. */
export interface Selection {
    objects: PgObject[];
    tables: PgTableData[];
    sequences: PgSequenceValue[];
}
/**
 * Applies restore-time include/exclude filters to an archived schema.
 *
 * Relations (and everything hanging off them: indexes, constraints, triggers,
 * defaults, owned sequences) follow the table filter; a partition follows its
 * partitioned root. Schema-level objects (types, functions) follow the schema
 * filter; extensions are always kept, since objects anywhere may need them.
 * Whatever depends on something left out (a view over an excluded table, a
 * foreign key to one) is left out too, and reported.
 */
export declare function selectForRestore(schema: PostgresSchema, options: NameFilterOptions, warnings: string[]): Selection;
