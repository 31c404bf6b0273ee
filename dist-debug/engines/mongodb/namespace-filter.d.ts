/** A compiled namespace pattern; `captures` gives what each `*` matched, in order. */
export declare class NamespacePattern {
    readonly source: string;
    /** Number of `*` wildcards, counting the implied `.*` of a database-only pattern. */
    readonly wildcards: number;
    private readonly regex;
    constructor(pattern: string);
    matches(namespace: string): boolean;
    /** What each `*` matched, or null when the namespace does not match. */
    captures(namespace: string): string[] | null;
}
/** Decides which namespaces take part, from include and exclude pattern lists. */
export declare class NamespaceFilter {
    private readonly include;
    private readonly exclude;
    constructor(include?: string[], exclude?: string[]);
    /** True when no include pattern is given (everything is in unless excluded). */
    get includesAll(): boolean;
    accepts(namespace: string): boolean;
}
/**
 * Renames namespaces pairwise: `from[i]` (a pattern) becomes `to[i]`, with the
 * text captured by each `*` of `from` put in place of the matching `*` of `to`.
 * The first matching pair wins; unmatched namespaces keep their name.
 */
export declare class NamespaceRenamer {
    private readonly pairs;
    constructor(from?: string[], to?: string[]);
    get isIdentity(): boolean;
    /** The new namespace of `namespace` (unchanged when no pair matches). */
    rename(namespace: string): string;
}
/** Splits `db.collection` at its first dot. */
export declare function splitNamespace(namespace: string): {
    db: string;
    collection: string;
};
/** Rejects names MongoDB would refuse, before any work is done. */
export declare function validateNamespace(namespace: string, context: string): void;
