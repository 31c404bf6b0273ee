import type { PgObject } from './model.js';
import { withChanges } from './packed-object.js';

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
  /** Folded defaults per table, by the table object returned (which carries them). */
  folded: Map<PgObject, number>;
} {
  const inherited = new Set<string>();
  for (const o of objects)
    if (o.kind === 'table' || o.kind === 'foreign-table') for (const d of o.deps) inherited.add(d);
  // Each table's CREATE TABLE is kept whole and searched, not split into its lines: the lines of
  // every table, held until the last default is folded, were ~15 MB of promoted garbage in the
  // middle of a 20,000-table restore's planning (docs/BENCHMARKS.md, session 14).
  const tables = new Map<string, FoldingTable>();
  for (const o of objects) {
    if (o.kind !== 'table' || inherited.has(o.id)) continue;
    const create = o.sql[0];
    const name = create && /^CREATE (?:UNLOGGED )?TABLE (\S+) \(\n/.exec(create)?.[1];
    if (!create || !name || !create.endsWith('\n)')) continue;
    tables.set(o.id, { object: o, name, create, inserts: [] });
  }

  // By object, not by id: a packed object derives its id each time it is read (packed-object.ts),
  // and a look-up by id of every object made ~200,000 id strings of garbage at 20,000 tables.
  const foldedDefaults = new Set<PgObject>();
  const changed = new Map<PgObject, FoldingTable>();
  for (const o of objects) {
    if (o.kind !== 'default' || o.deps.length !== 1) continue;
    const table = tables.get(o.deps[0] as string);
    if (!table) continue;
    // Read once: a packed object's statements are unpacked each time they are read (packed-object.ts).
    const sql = o.sql;
    if (sql.length !== 1) continue;
    const parsed = parseSetDefault(sql[0] as string, table.name);
    if (!parsed) continue;
    // The lines between the first and the last are the definitions; a column's starts with it,
    // after four blanks, and must be found exactly once.
    const { create } = table;
    const needle = `\n    ${parsed.column} `;
    const start = create.indexOf(needle);
    if (start < 0 || create.indexOf(needle, start + 1) >= 0) continue;
    const end = create.indexOf('\n', start + 1);
    // A definition with a default already (archived, or folded just now) keeps it.
    if (/ (?:DEFAULT|GENERATED) /.test(create.slice(start + 1, end))) continue;
    if (table.inserts.some((i) => i.line === start)) continue;
    // Before the comma that ends every definition but the last.
    table.inserts.push({
      line: start,
      at: create.charCodeAt(end - 1) === COMMA ? end - 1 : end,
      text: ` DEFAULT ${parsed.expression}`,
    });
    foldedDefaults.add(o);
    changed.set(table.object, table);
  }
  const folded = new Map<PgObject, number>();
  if (!foldedDefaults.size) return { objects: [...objects], folded };
  const kept: PgObject[] = [];
  for (const o of objects) {
    if (foldedDefaults.has(o)) continue;
    const table = changed.get(o);
    if (!table) {
      kept.push(o);
      continue;
    }
    const withDefaults = withChanges(o, { sql: [withInserts(table), ...o.sql.slice(1)] });
    folded.set(withDefaults, table.inserts.length);
    kept.push(withDefaults);
  }
  return { objects: kept, folded };
}

const COMMA = 0x2c;

/** A table whose CREATE TABLE may take defaults: the text as archived and what goes into it. */
interface FoldingTable {
  object: PgObject;
  /** The table's name as the CREATE TABLE writes it. */
  name: string;
  create: string;
  /** Defaults to write in: `at` an offset into `create`, `line` where the column's line starts. */
  inserts: { line: number; at: number; text: string }[];
}

/** The CREATE TABLE with its folded defaults written in. */
function withInserts({ create, inserts }: FoldingTable): string {
  const ordered = inserts.length > 1 ? [...inserts].sort((a, b) => a.at - b.at) : inserts;
  // Joined, not concatenated: one flat string, where `+=` leaves a tree of pieces behind it.
  const parts: string[] = [];
  let from = 0;
  for (const { at, text } of ordered) {
    parts.push(create.slice(from, at), text);
    from = at;
  }
  parts.push(create.slice(from));
  return parts.join('');
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
