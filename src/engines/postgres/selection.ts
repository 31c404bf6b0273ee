import { UsageError } from '../../errors.js';
import { qualify } from './ident.js';
import type { PgObject, PgSequenceValue, PgTableData, PostgresSchema, RelationRef } from './model.js';
import { idLabel, objectLabel } from './object-label.js';
import { NameFilter, type NameFilterOptions } from './patterns.js';

/** What a selective restore will touch. */
export interface Selection {
  objects: PgObject[];
  tables: PgTableData[];
  sequences: PgSequenceValue[];
}

/**
 * Applies restore-time include/exclude filters to an archived schema.
 *
 * Relations (and everything hanging off them: indexes, constraints, triggers,
 * defaults, owned sequences) follow the table filter; a partition follows its
 * partitioned root. Schema-level objects (types, functions) follow the schema
 * filter; extensions are always kept, since objects anywhere may need them.
 * Whatever depends on something left out (a view over an excluded table, a
 * foreign key to one) is left out too, and reported.
 */
export function selectForRestore(
  schema: PostgresSchema,
  options: NameFilterOptions,
  warnings: string[],
): Selection {
  const filter = new NameFilter(options);
  if (filter.isEmpty) return { objects: schema.objects, tables: schema.tables, sequences: schema.sequences };
  const relations = [...schema.tables, ...schema.objects.flatMap((o) => (o.relation ? [o.relation] : []))];
  const schemas = [
    ...schema.objects.filter((o) => o.kind === 'schema').map((o) => o.name),
    ...relations.map((r) => r.schema),
  ];
  const unmatched = filter.unmatchedIncludes(relations, schemas);
  if (unmatched.length) {
    throw new UsageError(
      `${unmatched.join(', ')} ${unmatched.length === 1 ? 'matches' : 'match'} nothing in the archive`,
      'check the pattern against the tables `stowage inspect ARCHIVE` lists',
    );
  }

  const ancestors = new Map(schema.partitions.map((p) => [`${p.schema}.${p.name}`, p.ancestors]));
  const relationKept = (r: RelationRef) =>
    filter.relation(r.schema, r.name, ancestors.get(`${r.schema}.${r.name}`));

  const removed = new Set<string>();
  for (const o of schema.objects) {
    let keep: boolean;
    if (o.kind === 'extension') keep = true;
    else if (o.kind === 'schema') keep = filter.schema(o.name);
    // Database-wide default privileges change every future object of the target, not only the
    // selected ones: a restore of named schemas or tables leaves them out, as pg_restore -n/-t does.
    else if (o.kind === 'default-privileges' && o.schema == null) keep = !filter.selectsSubset;
    else if (o.relation) keep = relationKept(o.relation);
    else keep = o.schema == null || filter.schema(o.schema);
    if (keep && o.references?.some((r) => !relationKept(r))) {
      keep = false;
      warnings.push(
        `${objectLabel(o)} left out: it references ${o.references.map((r) => qualify(r.schema, r.name)).join(', ')}, which is not restored`,
      );
    }
    if (!keep) removed.add(o.id);
  }
  const broughtAlong = bringDefaultSequences(schema, removed, warnings);
  // Dependents of anything left out go too (objects are in dependency order, so one pass suffices).
  for (const o of schema.objects) {
    if (removed.has(o.id)) continue;
    const missing = o.deps.find((d) => removed.has(d));
    if (missing) {
      removed.add(o.id);
      // A default or refresh going with its own table or view is expected; any other loss is said.
      const ownRelation = o.relation ? `${o.relation.schema}.${o.relation.name}` : '';
      const expected =
        (o.kind === 'default' || o.kind === 'refresh') &&
        missing.slice(missing.indexOf(':') + 1) === ownRelation;
      if (!expected)
        warnings.push(`${objectLabel(o)} left out: it depends on ${idLabel(missing)}, which is not restored`);
    }
  }
  // A table left out for what it depends on (an operator of an excluded schema) has no rows to load either.
  const tableKept = (r: RelationRef) => relationKept(r) && !removed.has(`table:${r.schema}.${r.name}`);
  return {
    objects: schema.objects.filter((o) => !removed.has(o.id)),
    tables: schema.tables.filter((t) => tableKept(t)),
    sequences: schema.sequences.filter(
      (s) =>
        broughtAlong.has(`sequence:${s.schema}.${s.name}`) ||
        (s.relation
          ? tableKept(s.relation)
          : relationKept(s) && !removed.has(`sequence:${s.schema}.${s.name}`)),
    ),
  };
}

/**
 * A kept table's column default can call nextval() on a sequence the filter
 * left out (one no table owns, so it does not follow a table). Restoring the
 * table without it would silently lose the default, so the sequence comes
 * along (with its value), and the restore says so. Returns the ids brought back.
 */
function bringDefaultSequences(
  schema: PostgresSchema,
  removed: Set<string>,
  warnings: string[],
): Set<string> {
  const byId = new Map(schema.objects.map((o) => [o.id, o]));
  const brought = new Set<string>();
  for (const o of schema.objects) {
    if (o.kind !== 'default' || removed.has(o.id)) continue;
    for (const dep of o.deps) {
      const sequence = byId.get(dep);
      if (sequence?.kind !== 'sequence' || !removed.has(dep) || brought.has(dep)) continue;
      if (sequence.deps.some((d) => removed.has(d))) continue; // its schema is not restored: the default goes, loudly
      removed.delete(dep);
      brought.add(dep);
      const name = qualify(sequence.schema ?? '', sequence.name);
      warnings.push(
        `sequence ${name} restored too, though not selected: the default of ${o.name} uses it (nextval)`,
      );
    }
  }
  return brought;
}
