import { UsageError } from '../../errors.js';
export class NameFilter {
    includeSchemas;
    excludeSchemas;
    includeTables;
    excludeTables;
    constructor(options) {
        this.includeSchemas = (options.includeSchemas ?? []).map((p) => globToRegExp(unquote(p)));
        this.excludeSchemas = (options.excludeSchemas ?? []).map((p) => globToRegExp(unquote(p)));
        this.includeTables = (options.includeTables ?? []).map(tablePattern);
        this.excludeTables = (options.excludeTables ?? []).map(tablePattern);
    }
    /** True when any table pattern was given (then only matching relations are kept). */
    get selectsTables() {
        return this.includeTables.length > 0;
    }
    /** True when no filter is set at all. */
    get isEmpty() {
        return (!this.includeSchemas.length &&
            !this.excludeSchemas.length &&
            !this.includeTables.length &&
            !this.excludeTables.length);
    }
    schema(name) {
        if (this.includeSchemas.length && !this.includeSchemas.some((r) => r.test(name)))
            return false;
        return !this.excludeSchemas.some((r) => r.test(name));
    }
    /**
     * Whether a relation (table, view, sequence, ...) is selected. `ancestors` are
     * the partitioned tables above a partition: a partition follows its root.
     */
    relation(schema, name, ancestors = []) {
        if (!this.schema(schema))
            return false;
        const all = [{ schema, name }, ...ancestors];
        const hit = (patterns) => all.some((rel) => patterns.some((p) => (!p.schema || p.schema.test(rel.schema)) && p.name.test(rel.name)));
        if (this.includeTables.length && !hit(this.includeTables))
            return false;
        return !hit(this.excludeTables);
    }
}
function tablePattern(pattern) {
    const parts = splitQualified(pattern);
    if (parts.length === 1)
        return { schema: undefined, name: globToRegExp(parts[0]) };
    if (parts.length === 2)
        return { schema: globToRegExp(parts[0]), name: globToRegExp(parts[1]) };
    throw new UsageError(`bad table pattern "${pattern}"`, 'use table or schema.table (quote names that contain dots)');
}
/** Splits on dots outside double quotes and removes the quotes. */
function splitQualified(pattern) {
    const parts = [];
    let current = '';
    let quoted = false;
    for (let i = 0; i < pattern.length; i++) {
        const ch = pattern[i];
        if (ch === '"') {
            if (quoted && pattern[i + 1] === '"') {
                current += '"';
                i++;
            }
            else
                quoted = !quoted;
        }
        else if (ch === '.' && !quoted) {
            parts.push(current);
            current = '';
        }
        else
            current += ch;
    }
    parts.push(current);
    return parts;
}
function unquote(pattern) {
    return splitQualified(pattern).join('.');
}
function globToRegExp(glob) {
    let re = '';
    for (const ch of glob) {
        if (ch === '*')
            re += '.*';
        else if (ch === '?')
            re += '.';
        else
            re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    }
    return new RegExp(`^${re}$`, 's');
}
//# sourceMappingURL=patterns.js.map