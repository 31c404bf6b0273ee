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
 *
 * Decides which defaults fold; {@link withFoldedDefaults} writes them in when
 * the table's statements are sent.
 */
export function foldColumnDefaults(objects: readonly PgObject[]): FoldedDefaults {
  const inherited = new Set<string>();
  for (const o of objects)
    if (o.kind === 'table' || o.kind === 'foreign-table') for (const d of o.deps) inherited.add(d);
  // Candidates by their table's id as their dependency names it: the archive's string, where a
  // table's id is derived each time it is read (packed-object.ts).
  const candidates = new Map<string, PgObject[]>();
  for (const o of objects) {
    if (o.kind !== 'default' || o.deps.length !== 1) continue;
    const table = o.deps[0] as string;
    if (inherited.has(table)) continue;
    const list = candidates.get(table);
    if (list) list.push(o);
    else candidates.set(table, [o]);
  }
  const folded = new Map<PgObject, readonly PgObject[]>();
  // By object, not by id: a look-up by id of every object made ~200,000 id strings of garbage at
  // 20,000 tables.
  const foldedDefaults = new Set<PgObject>();
  if (candidates.size) {
    for (const o of objects) {
      if (o.kind !== 'table') continue;
      const defaults = candidates.get(o.id);
      if (!defaults) continue;
      // The text is searched here and again when the statements are sent (withFoldedDefaults),
      // never held: every CREATE TABLE unpacked and written anew, held until the pre-data was
      // sent, was ~20 MB at 20,000 tables, at the restore's peak (docs/BENCHMARKS.md, session 22).
      const inserts = insertsInto(o.sql[0], defaults);
      if (!inserts?.length) continue;
      const taken = inserts.length === defaults.length ? defaults : inserts.map((i) => i.object);
      folded.set(o, taken);
      for (const d of taken) foldedDefaults.add(d);
    }
  }
  return {
    objects: foldedDefaults.size ? objects.filter((o) => !foldedDefaults.has(o)) : [...objects],
    folded,
  };
}

/** What {@link foldColumnDefaults} decided: the objects left to create, and the defaults each table takes in. */
export interface FoldedDefaults {
  /** The objects without the folded defaults (tables as archived: see {@link withFoldedDefaults}). */
  objects: PgObject[];
  /** The defaults folded into each table that takes some, in the archive's order. */
  folded: Map<PgObject, readonly PgObject[]>;
}

/**
 * The statements of `table` with `defaults` (as {@link foldColumnDefaults} gave them for it)
 * written into its CREATE TABLE. Made when asked, from the archived text each time.
 */
export function withFoldedDefaults(table: Pick<PgObject, 'sql'>, defaults: readonly PgObject[]): string[] {
  const [create, ...rest] = table.sql;
  const inserts = create === undefined ? undefined : insertsInto(create, defaults);
  if (!create || !inserts?.length) return table.sql;
  const ordered = inserts.length > 1 ? inserts.sort((a, b) => a.at - b.at) : inserts;
  // Joined, not concatenated: one flat string, where `+=` leaves a tree of pieces behind it.
  const parts: string[] = [];
  let from = 0;
  for (const { at, text } of ordered) {
    parts.push(create.slice(from, at), text);
    from = at;
  }
  parts.push(create.slice(from));
  return [parts.join(''), ...rest];
}

const COMMA = 0x2c;

/** A default to write into a CREATE TABLE: `at` an offset into it, `line` where the column's line starts. */
interface Insert {
  object: PgObject;
  line: number;
  at: number;
  text: string;
}

/**
 * Where each of `defaults` that can be folded goes into `create` (the others are left out), or
 * undefined for a CREATE TABLE that takes none: only `CREATE TABLE name (…)` as one statement.
 * Each table's text is searched whole, not split into its lines: the lines of every table,
 * held until the last default was folded, were ~15 MB of promoted garbage at 20,000 tables
 * (docs/BENCHMARKS.md, session 14).
 */
function insertsInto(create: string | undefined, defaults: readonly PgObject[]): Insert[] | undefined {
  const name = create && /^CREATE (?:UNLOGGED )?TABLE (\S+) \(\n/.exec(create)?.[1];
  if (!create || !name || !create.endsWith('\n)')) return undefined;
  const inserts: Insert[] = [];
  for (const o of defaults) {
    // Read once: a packed object's statements are unpacked each time they are read (packed-object.ts).
    const sql = o.sql;
    if (sql.length !== 1) continue;
    const parsed = parseSetDefault(sql[0] as string, name);
    if (!parsed) continue;
    // The lines between the first and the last are the definitions; a column's starts with it,
    // after four blanks, and must be found exactly once.
    const needle = `\n    ${parsed.column} `;
    const start = create.indexOf(needle);
    if (start < 0 || create.indexOf(needle, start + 1) >= 0) continue;
    const end = create.indexOf('\n', start + 1);
    // A definition with a default already (archived, or folded just now) keeps it.
    if (/ (?:DEFAULT|GENERATED) /.test(create.slice(start + 1, end))) continue;
    if (inserts.some((i) => i.line === start)) continue;
    // Before the comma that ends every definition but the last.
    inserts.push({
      object: o,
      line: start,
      at: create.charCodeAt(end - 1) === COMMA ? end - 1 : end,
      text: ` DEFAULT ${parsed.expression}`,
    });
  }
  return inserts;
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
