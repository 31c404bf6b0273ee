import { UsageError } from '../../errors.js';

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

interface TablePattern {
  schema: RegExp | undefined;
  name: RegExp;
}

export class NameFilter {
  private readonly includeSchemas: RegExp[];
  private readonly excludeSchemas: RegExp[];
  private readonly includeTables: TablePattern[];
  private readonly excludeTables: TablePattern[];
  private readonly sources: { schemas: string[]; tables: string[] };

  constructor(options: NameFilterOptions) {
    this.sources = { schemas: options.includeSchemas ?? [], tables: options.includeTables ?? [] };
    this.includeSchemas = (options.includeSchemas ?? []).map((p) => globToRegExp(unquote(p)));
    this.excludeSchemas = (options.excludeSchemas ?? []).map((p) => globToRegExp(unquote(p)));
    this.includeTables = (options.includeTables ?? []).map(tablePattern);
    this.excludeTables = (options.excludeTables ?? []).map(tablePattern);
  }

  /**
   * The include patterns (as flags, e.g. `--table "nosuch"`) that match none
   * of `relations` or `schemas`: a selection that selects nothing is a mistake.
   */
  unmatchedIncludes(relations: { schema: string; name: string }[], schemas: string[]): string[] {
    const out: string[] = [];
    this.includeSchemas.forEach((r, i) => {
      if (!schemas.some((s) => r.test(s))) out.push(`--schema "${this.sources.schemas[i]}"`);
    });
    this.includeTables.forEach((p, i) => {
      if (!relations.some((rel) => (!p.schema || p.schema.test(rel.schema)) && p.name.test(rel.name)))
        out.push(`--table "${this.sources.tables[i]}"`);
    });
    return out;
  }

  /** True when any table pattern was given (then only matching relations are kept). */
  get selectsTables(): boolean {
    return this.includeTables.length > 0;
  }

  /** True when schemas or tables are named to be restored (everything else is left out). */
  get selectsSubset(): boolean {
    return this.includeSchemas.length > 0 || this.includeTables.length > 0;
  }

  /** True when no filter is set at all. */
  get isEmpty(): boolean {
    return (
      !this.includeSchemas.length &&
      !this.excludeSchemas.length &&
      !this.includeTables.length &&
      !this.excludeTables.length
    );
  }

  schema(name: string): boolean {
    if (this.includeSchemas.length && !this.includeSchemas.some((r) => r.test(name))) return false;
    return !this.excludeSchemas.some((r) => r.test(name));
  }

  /**
   * Whether a relation (table, view, sequence, ...) is selected. `ancestors` are
   * the partitioned tables above a partition: a partition follows its root.
   */
  relation(schema: string, name: string, ancestors: { schema: string; name: string }[] = []): boolean {
    if (!this.schema(schema)) return false;
    const all = [{ schema, name }, ...ancestors];
    const hit = (patterns: TablePattern[]) =>
      all.some((rel) =>
        patterns.some((p) => (!p.schema || p.schema.test(rel.schema)) && p.name.test(rel.name)),
      );
    if (this.includeTables.length && !hit(this.includeTables)) return false;
    return !hit(this.excludeTables);
  }
}

function tablePattern(pattern: string): TablePattern {
  const parts = splitQualified(pattern);
  if (parts.length === 1) return { schema: undefined, name: globToRegExp(parts[0] as string) };
  if (parts.length === 2)
    return { schema: globToRegExp(parts[0] as string), name: globToRegExp(parts[1] as string) };
  throw new UsageError(
    `bad table pattern "${pattern}"`,
    'use table or schema.table (quote names that contain dots)',
  );
}

/** Splits on dots outside double quotes and removes the quotes. */
function splitQualified(pattern: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '"') {
      if (quoted && pattern[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function unquote(pattern: string): string {
  return splitQualified(pattern).join('.');
}

/** A glob (`*`, `?`) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
