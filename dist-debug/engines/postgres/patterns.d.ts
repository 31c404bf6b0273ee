/**
 * Include/exclude filters for schemas and tables, shared by backup and restore.
 *
 * Patterns are globs: `*` matches any run of characters, `?` one character,
 * and matching is exact otherwise (case-sensitive, like the names in the
 * catalog). A table pattern without a dot matches in every schema;
 * `schema.table` matches in that schema only. Double quotes protect dots:
 * `"my.schema".t`.
 */
export interface NameFilterOptions {
    includeSchemas?: string[];
    excludeSchemas?: string[];
    includeTables?: string[];
    excludeTables?: string[];
}
export declare class NameFilter {
    private readonly includeSchemas;
    private readonly excludeSchemas;
    private readonly includeTables;
    private readonly excludeTables;
    constructor(options: NameFilterOptions);
    /** True when any table pattern was given (then only matching relations are kept). */
    get selectsTables(): boolean;
    /** True when no filter is set at all. */
    get isEmpty(): boolean;
    schema(name: string): boolean;
    /**
     * Whether a relation (table, view, sequence, ...) is selected. `ancestors` are
     * the partitioned tables above a partition: a partition follows its root.
     */
    relation(schema: string, name: string, ancestors?: {
        schema: string;
        name: string;
    }[]): boolean;
}
