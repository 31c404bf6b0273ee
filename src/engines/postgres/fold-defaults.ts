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
  // Only the tables a default may go into are looked at: splitting every CREATE TABLE into lines
  // cost more CPU than the rest of the planning at 20,000 tables, ahead of the first statement.
  const wanted = new Set<string>();
  for (const o of objects) if (isCandidate(o)) wanted.add(o.deps[0] as string);
  if (!wanted.size) return { objects: [...objects], folded: new Map() };
  const inherited = new Set<string>();
  for (const o of objects)
    if (o.kind === 'table' || o.kind === 'foreign-table') for (const d of o.deps) inherited.add(d);
  const tables = new Map<string, FoldedTable>();
  for (const o of objects) {
    if (o.kind !== 'table' || !wanted.has(o.id) || inherited.has(o.id)) continue;
    const create = o.sql[0];
    const name = create && /^CREATE (?:UNLOGGED )?TABLE (\S+) \(\n/.exec(create)?.[1];
    if (!create || !name || !create.endsWith('\n)')) continue;
    tables.set(o.id, { object: o, name, create, inserts: [] });
  }

  const foldedIds = new Set<string>();
  const folded = new Map<string, number>();
  for (const o of objects) {
    if (!isCandidate(o)) continue;
    const table = tables.get(o.deps[0] as string);
    if (!table) continue;
    const parsed = parseSetDefault(o.sql[0] as string, table.name);
    if (!parsed) continue;
    // The column's definition line, found exactly once: the first line opens the list (no newline
    // before it) and the last one closes it (`)`), so every match is one of the definitions.
    const { create } = table;
    const prefix = `\n    ${parsed.column} `;
    const found = create.indexOf(prefix);
    if (found < 0 || create.indexOf(prefix, found + 1) >= 0) continue;
    const start = found + 1;
    const end = create.indexOf('\n', start);
    // A line given a default already has one now.
    if (table.inserts.some((i) => i.line === start)) continue;
    if (/ (?:DEFAULT|GENERATED) /.test(create.slice(start, end))) continue;
    table.inserts.push({
      line: start,
      at: create.charCodeAt(end - 1) === 44 /* , */ ? end - 1 : end,
      text: ` DEFAULT ${parsed.expression}`,
    });
    foldedIds.add(o.id);
    folded.set(table.object.id, (folded.get(table.object.id) ?? 0) + 1);
  }
  if (!foldedIds.size) return { objects: [...objects], folded };
  return {
    objects: objects.flatMap((o) => {
      if (foldedIds.has(o.id)) return [];
      const table = folded.has(o.id) ? tables.get(o.id) : undefined;
      return table ? [{ ...o, sql: [withInserts(table), ...o.sql.slice(1)] }] : [o];
    }),
    folded,
  };
}

/** A table whose CREATE TABLE may take defaults, and where they go. */
interface FoldedTable {
  object: PgObject;
  /** The table's name as the CREATE TABLE writes it. */
  name: string;
  create: string;
  /** ` DEFAULT …` to insert at `at` (the end of the definition line starting at `line`, before its comma). */
  inserts: { line: number; at: number; text: string }[];
}

/** A default alone in its object that needs nothing but its table (its one dependency). */
function isCandidate(o: PgObject): boolean {
  return o.kind === 'default' && o.deps.length === 1 && o.sql.length === 1;
}

/** The CREATE TABLE with its folded defaults written in. */
function withInserts({ create, inserts }: FoldedTable): string {
  const sorted = [...inserts].sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const i of sorted) {
    out += create.slice(from, i.at) + i.text;
    from = i.at;
  }
  return out + create.slice(from);
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
