import type { PgObject } from './model.js';

/**
 * Column defaults written into their table's CREATE TABLE, as pg_dump writes
 * them, instead of one `ALTER TABLE … SET DEFAULT` statement each after it:
 * a schema of thousands of tables restores with a statement fewer per default.
 *
 * Only where the catalog that results cannot differ: a default that needs
 * nothing but its table (a sequence, function or type it uses keeps it
 * separate, as pg_dump keeps `nextval` defaults), on a plain table (one
 * `CREATE TABLE name (…)`, no partitioning, parents, type, access method or
 * storage options) that no other table inherits from (a child created later
 * copies its parent's defaults), and whose column line is found exactly once.
 * Anything else is left as archived.
 */
export function foldColumnDefaults(objects: readonly PgObject[]): {
  /** `objects` without the folded defaults, their tables carrying them. */
  objects: PgObject[];
  /** Folded defaults per table id. */
  folded: Map<string, number>;
} {
  const inherited = new Set<string>();
  for (const o of objects)
    if (o.kind === 'table' || o.kind === 'foreign-table') for (const d of o.deps) inherited.add(d);
  const tables = new Map<string, { object: PgObject; name: string; lines: string[] }>();
  for (const o of objects) {
    if (o.kind !== 'table' || inherited.has(o.id)) continue;
    const create = o.sql[0];
    const name = create && /^CREATE (?:UNLOGGED )?TABLE (\S+) \(\n/.exec(create)?.[1];
    if (!create || !name || !create.endsWith('\n)')) continue;
    tables.set(o.id, { object: o, name, lines: create.split('\n') });
  }

  const foldedIds = new Set<string>();
  const folded = new Map<string, number>();
  for (const o of objects) {
    if (o.kind !== 'default' || o.deps.length !== 1 || o.sql.length !== 1) continue;
    const table = tables.get(o.deps[0] as string);
    if (!table) continue;
    const parsed = parseSetDefault(o.sql[0] as string, table.name);
    if (!parsed) continue;
    const at: number[] = [];
    // Lines 1 … n-2 are the definitions; the first and last open and close the list.
    for (let i = 1; i < table.lines.length - 1; i++)
      if ((table.lines[i] as string).startsWith(`    ${parsed.column} `)) at.push(i);
    const i = at[0];
    if (at.length !== 1 || i === undefined) continue;
    const line = table.lines[i] as string;
    if (/ (?:DEFAULT|GENERATED) /.test(line)) continue;
    table.lines[i] = line.endsWith(',')
      ? `${line.slice(0, -1)} DEFAULT ${parsed.expression},`
      : `${line} DEFAULT ${parsed.expression}`;
    foldedIds.add(o.id);
    folded.set(table.object.id, (folded.get(table.object.id) ?? 0) + 1);
  }
  if (!foldedIds.size) return { objects: [...objects], folded };
  return {
    objects: objects.flatMap((o) => {
      if (foldedIds.has(o.id)) return [];
      const table = folded.has(o.id) ? tables.get(o.id) : undefined;
      return table ? [{ ...o, sql: [table.lines.join('\n'), ...o.sql.slice(1)] }] : [o];
    }),
    folded,
  };
}

/** The quoted column and the expression of `ALTER TABLE ONLY <table> ALTER COLUMN <column> SET DEFAULT <expression>`. */
function parseSetDefault(sql: string, table: string): { column: string; expression: string } | undefined {
  const prefix = `ALTER TABLE ONLY ${table} ALTER COLUMN `;
  if (!sql.startsWith(prefix)) return undefined;
  const rest = sql.slice(prefix.length);
  // A quoted identifier ends at a quote not doubled; a plain one at the first blank.
  const column = rest.startsWith('"') ? /^"(?:[^"]|"")*"/.exec(rest)?.[0] : /^[^\s"]+/.exec(rest)?.[0];
  if (!column || !rest.startsWith(' SET DEFAULT ', column.length)) return undefined;
  const expression = rest.slice(column.length + ' SET DEFAULT '.length);
  // Archived statements carry no terminator; one that does is left as it is.
  return expression.trim() && !expression.trimEnd().endsWith(';') ? { column, expression } : undefined;
}
