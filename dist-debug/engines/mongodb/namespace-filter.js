import { UsageError } from '../../errors.js';
/**
 * Namespace patterns (`db.collection` globs) for include, exclude and rename.
 *
 * A pattern is split at its first dot into a database part and a collection
 * part, because database names cannot contain dots while collection names can.
 * `*` matches any run of characters inside its part: in the database part it
 * never crosses the dot; in the collection part it matches dots too, so
 * `shop.*` covers `shop.orders.archive`. A pattern with no dot names whole
 * databases (`shop` is `shop.*`).
 */
const escapeRegex = (text) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
function globToRegexSource(glob, star) {
    return glob.split('*').map(escapeRegex).join(star);
}
/** A compiled namespace pattern; `captures` gives what each `*` matched, in order. */
export class NamespacePattern {
    source;
    /** Number of `*` wildcards, counting the implied `.*` of a database-only pattern. */
    wildcards;
    regex;
    constructor(pattern) {
        const trimmed = pattern.trim();
        if (!trimmed)
            throw new UsageError('empty namespace pattern', 'patterns look like db.collection, db.* or *.logs');
        const dot = trimmed.indexOf('.');
        const db = dot < 0 ? trimmed : trimmed.slice(0, dot);
        const coll = dot < 0 ? '*' : trimmed.slice(dot + 1);
        if (!db || !coll) {
            throw new UsageError(`bad namespace pattern "${pattern}"`, 'patterns look like db.collection, db.* or *.logs');
        }
        this.source = trimmed;
        this.wildcards = db.split('*').length - 1 + (coll.split('*').length - 1);
        this.regex = new RegExp(`^${globToRegexSource(db, '([^.]*)')}\\.${globToRegexSource(coll, '(.*)')}$`, 's');
    }
    matches(namespace) {
        return this.regex.test(namespace);
    }
    /** What each `*` matched, or null when the namespace does not match. */
    captures(namespace) {
        const m = this.regex.exec(namespace);
        return m ? m.slice(1) : null;
    }
}
/** Decides which namespaces take part, from include and exclude pattern lists. */
export class NamespaceFilter {
    include;
    exclude;
    constructor(include = [], exclude = []) {
        this.include = include.map((p) => new NamespacePattern(p));
        this.exclude = exclude.map((p) => new NamespacePattern(p));
    }
    /** True when no include pattern is given (everything is in unless excluded). */
    get includesAll() {
        return this.include.length === 0;
    }
    accepts(namespace) {
        if (this.include.length > 0 && !this.include.some((p) => p.matches(namespace)))
            return false;
        return !this.exclude.some((p) => p.matches(namespace));
    }
}
/**
 * Renames namespaces pairwise: `from[i]` (a pattern) becomes `to[i]`, with the
 * text captured by each `*` of `from` put in place of the matching `*` of `to`.
 * The first matching pair wins; unmatched namespaces keep their name.
 */
export class NamespaceRenamer {
    pairs;
    constructor(from = [], to = []) {
        if (from.length !== to.length) {
            throw new UsageError(`--ns-from is given ${from.length} time(s) but --ns-to ${to.length} time(s)`, 'give them in pairs: --ns-from "shop.*" --ns-to "shop_copy.*"');
        }
        this.pairs = from.map((f, i) => {
            const pattern = new NamespacePattern(f);
            // `shop` → `shop_copy` renames a whole database, like `shop.*` → `shop_copy.*`.
            const target = to[i].includes('.') ? to[i] : `${to[i]}.*`;
            const targetStars = target.split('*').length - 1;
            if (targetStars !== pattern.wildcards) {
                throw new UsageError(`--ns-to "${target}" has ${targetStars} "*" but --ns-from "${f}" has ${pattern.wildcards}`, 'each * in --ns-from must have one * in --ns-to, in the same order');
            }
            return { from: pattern, to: target };
        });
    }
    get isIdentity() {
        return this.pairs.length === 0;
    }
    /** The new namespace of `namespace` (unchanged when no pair matches). */
    rename(namespace) {
        for (const { from, to } of this.pairs) {
            const captures = from.captures(namespace);
            if (!captures)
                continue;
            let i = 0;
            const out = to.replace(/\*/g, () => captures[i++] ?? '');
            validateNamespace(out, `--ns-to maps ${namespace} to`);
            return out;
        }
        return namespace;
    }
}
/** Splits `db.collection` at its first dot. */
export function splitNamespace(namespace) {
    const dot = namespace.indexOf('.');
    if (dot <= 0 || dot === namespace.length - 1) {
        throw new UsageError(`"${namespace}" is not a namespace`, 'write db.collection');
    }
    return { db: namespace.slice(0, dot), collection: namespace.slice(dot + 1) };
}
/** Rejects names MongoDB would refuse, before any work is done. */
export function validateNamespace(namespace, context) {
    const { db, collection } = splitNamespace(namespace);
    if (/[/\\. "$*<>:|?\0]/.test(db) || db.length > 63) {
        throw new UsageError(`${context} "${namespace}", whose database name "${db}" is not valid`, 'database names cannot contain /\\. "$*<>:|? or be longer than 63 bytes');
    }
    if (collection.includes('\0') || collection.includes('$')) {
        throw new UsageError(`${context} "${namespace}", whose collection name is not valid`, 'collection names cannot contain $ or NUL');
    }
}
//# sourceMappingURL=namespace-filter.js.map