import type { ContentsEntry, StreamSummary } from '../engine.js';
import { qualify } from './ident.js';
import { type PgObject, parsePostgresSchema } from './model.js';
import { displayName } from './object-label.js';
import type { PostgresRestoreOptions } from './options.js';
import { printableSchema } from './printable-schema.js';
import { selectForRestore } from './selection.js';

/**
 * What a PostgreSQL archive holds, as `pg_restore -l` lists it: the schema
 * objects before the data, each table's data (its parts counted as one
 * table), then what is built after the data. A selection (`--schema`,
 * `--table`, …) lists what a restore with the same flags would write.
 */
export async function describePostgresContents(
  schemaSection: unknown,
  streams: StreamSummary[],
  selection: PostgresRestoreOptions,
): Promise<ContentsEntry[]> {
  const schema = await parsePostgresSchema(schemaSection);
  const selected = selectForRestore(schema, selection, []);
  const byName = new Map(streams.map((s) => [s.name, s]));
  const entry = (o: PgObject): ContentsEntry => ({
    section: o.section,
    kind: o.kind,
    name: displayName(o),
  });
  const data: ContentsEntry[] = selected.tables.map((t) => {
    const parts = t.streams.map((s) => byName.get(s));
    return {
      section: 'data',
      kind: 'table-data',
      name: qualify(t.schema, t.name),
      items: parts.reduce((n, s) => n + (s?.items ?? 0), 0),
      bytes: parts.reduce((n, s) => n + (s?.rawBytes ?? 0), 0),
      ...(t.streams.length > 1 ? { detail: `${t.streams.length} parts` } : {}),
    };
  });
  const sequences: ContentsEntry[] = selected.sequences.map((s) => ({
    section: 'data',
    kind: 'sequence-value',
    name: qualify(s.schema, s.name),
    detail: s.lastValue,
  }));
  const largeObjects =
    schema.largeObjects && (selection.largeObjects ?? !hasSelection(selection))
      ? [
          {
            section: 'data',
            kind: 'large-objects',
            name: '-',
            items: schema.largeObjects.count,
            bytes: byName.get(schema.largeObjects.stream)?.rawBytes ?? 0,
          },
        ]
      : [];
  return [
    ...selected.objects.filter((o) => o.section === 'pre-data').map(entry),
    ...data,
    ...sequences,
    ...largeObjects,
    ...selected.objects.filter((o) => o.section === 'post-data').map(entry),
  ];
}

/**
 * The schema as SQL, as `pg_restore --schema-only -f -` prints it: the
 * statements a restore runs, in the order it runs them, each object headed
 * by a comment. Statements holding credentials (user mappings, subscriptions)
 * are not shown. Owners and grants come too unless `owner`/`acl` is false
 * (`--no-owner`, `--no-acl`), as on restore; archived role names are printed
 * as they are (no `--role-map`).
 */
export async function postgresSchemaSql(
  schemaSection: unknown,
  selection: PostgresRestoreOptions,
): Promise<string[]> {
  const schema = await parsePostgresSchema(printableSchema(await parsePostgresSchema(schemaSection)));
  const selected = selectForRestore(schema, selection, []);
  const lines = [
    `-- database ${schema.database.name} (PostgreSQL ${schema.server.version}, encoding ${schema.database.encoding}), ${schema.contents}`,
  ];
  let section = '';
  for (const o of selected.objects) {
    if (o.section !== section) {
      section = o.section;
      lines.push('', `-- ${section}`);
    }
    const statements = [
      ...o.sql,
      ...(selection.owner !== false ? (o.owner ?? []) : []),
      ...(selection.acl !== false ? (o.acl ?? []) : []),
    ];
    if (!statements.length) continue;
    lines.push('', `-- ${o.kind} ${displayName(o)}`);
    for (const s of statements) lines.push(terminated(s));
  }
  return lines;
}

function terminated(statement: string): string {
  const trimmed = statement.trimEnd();
  return trimmed.endsWith(';') || trimmed.startsWith('--') ? trimmed : `${trimmed};`;
}

function hasSelection(selection: PostgresRestoreOptions): boolean {
  return !!(selection.includeSchemas?.length || selection.includeTables?.length);
}
