import type { PgObject } from '../model.js';
import { orderObjects } from '../order.js';
import type { NameFilter } from '../patterns.js';
import { readAccessMethods } from './access-methods.js';
import { readCasts } from './casts.js';
import { readCollations } from './collations.js';
import { readConstraints } from './constraints.js';
import { type CatalogContext, type CatalogObject, rows } from './context.js';
import { readConversions } from './conversions.js';
import { readDefaultPrivileges } from './default-privileges.js';
import { resolveDependencies } from './depend.js';
import { readEventTriggers } from './event-triggers.js';
import { readForeignData } from './foreign-data.js';
import { readRoutines } from './functions.js';
import { readIndexes } from './indexes.js';
import { readLanguages } from './languages.js';
import { readOperatorClasses } from './operator-classes.js';
import { readOperators } from './operators.js';
import { readPolicies } from './policies.js';
import { readPublications } from './publications.js';
import { readRules } from './rules.js';
import { readExtensions, readSchemas } from './schemas.js';
import { readSequences, type SequencesRead } from './sequences.js';
import { readShellTypes } from './shell-types.js';
import { notExtensionMember, SYSTEM_SCHEMA_FILTER } from './sql.js';
import { readStatistics } from './statistics.js';
import { readSubscriptions } from './subscriptions.js';
import { readSystemAcls } from './system-acl.js';
import { readTables, type TablesRead } from './tables.js';
import { readTextSearch } from './text-search.js';
import { readTransforms } from './transforms.js';
import { readTriggers } from './triggers.js';
import { readTypes } from './types.js';
import { readViews } from './views.js';

/** Names of the user schemas the filter selects (extension-owned schemas excluded). */
export async function listSchemas(
  ctx: Pick<CatalogContext, 'session'>,
  filter: NameFilter,
): Promise<string[]> {
  const list = await rows<{ nspname: string }>(
    ctx as CatalogContext,
    `SELECT n.nspname FROM pg_catalog.pg_namespace n
     WHERE ${SYSTEM_SCHEMA_FILTER} AND ${notExtensionMember('pg_namespace', 'n.oid')} ORDER BY n.nspname`,
  );
  return list.map((r) => r.nspname).filter((name) => filter.schema(name));
}

export interface CatalogRead {
  /** Dependency-ordered objects, pre-data then post-data. */
  objects: PgObject[];
  tables: TablesRead['data'];
  sequences: SequencesRead['all'];
}

/**
 * Reads every supported object in the selected schemas and relations and
 * returns them in restore order. Runs in the backup's snapshot transaction,
 * after the selected tables are locked.
 */
export async function readCatalog(ctx: CatalogContext): Promise<CatalogRead> {
  const sequences = await readSequences(ctx);
  const tables = await readTables(ctx, sequences);
  const all: CatalogObject[] = [
    ...(await readSchemas(ctx)),
    ...(await readExtensions(ctx)),
    ...(await readAccessMethods(ctx)),
    ...(await readCollations(ctx)),
    ...(await readTypes(ctx)),
    ...(await readRoutines(ctx)),
    ...(await readShellTypes(ctx)),
    ...(await readOperators(ctx)),
    ...(await readOperatorClasses(ctx)),
    ...(await readCasts(ctx)),
    ...(await readTransforms(ctx)),
    ...(await readConversions(ctx)),
    ...(await readTextSearch(ctx)),
    ...sequences.objects,
    ...tables.objects,
    ...(await readViews(ctx)),
    ...(await readConstraints(ctx)),
    ...(await readIndexes(ctx)),
    ...(await readTriggers(ctx)),
    ...(await readRules(ctx)),
    ...(await readPolicies(ctx)),
    ...(await readStatistics(ctx)),
    ...(await readForeignData(ctx)),
    ...(await readPublications(ctx)),
    ...(await readSubscriptions(ctx)),
    ...(await readDefaultPrivileges(ctx)),
    ...(await readEventTriggers(ctx)),
    ...(await readLanguages(ctx)),
    ...(await readSystemAcls(ctx)),
  ];
  const kept = await resolveDependencies(ctx, all);
  const { ordered, cycles } = orderObjects(kept);
  // A cycle no split breaks leaves objects in an order restore may not be able to apply.
  if (cycles.length)
    ctx.incomplete.push(`dependency cycle stowage cannot break, around ${cycles.join(', ')}`);
  const keptTables = new Set(kept.filter((o) => o.kind === 'table').map((o) => o.id));
  return {
    objects: ordered.map(({ keys: _keys, detachable: _parts, shell: _shell, ...object }) => object),
    tables: tables.data.filter((t) => keptTables.has(`table:${t.schema}.${t.name}`)),
    sequences: sequences.all,
  };
}
