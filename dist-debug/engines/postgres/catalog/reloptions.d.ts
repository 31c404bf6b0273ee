/**
 * Storage parameters (`reloptions`) come from the catalog as `name=value`
 * strings. Values can hold anything, so they are quoted when written back.
 */
export declare function reloptionsClause(options: string[]): string;
