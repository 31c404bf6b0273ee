import { type CatalogContext, rows } from './context.js';

/**
 * Which kinds of object the database could hold at all, asked in one query before the
 * readers run, so that the readers of kinds it has none of do not run: most databases have
 * no operators, casts, text search objects, foreign servers, publications or event triggers
 * of their own, and each such reader was a round trip or several (a small backup's catalog
 * was some fifty queries, most answering nothing).
 *
 * Each answer is weaker than the reader's own condition: false only when the reader could not
 * find a row (user objects have OIDs from 16384 up, FirstNormalObjectId; a catalog with no rows
 * at all has none to give). Asked in the backup's snapshot, like the readers.
 */
export interface Census {
  accessMethods: boolean;
  casts: boolean;
  collations: boolean;
  conversions: boolean;
  defaultPrivileges: boolean;
  eventTriggers: boolean;
  foreignData: boolean;
  languages: boolean;
  operatorClasses: boolean;
  operators: boolean;
  policies: boolean;
  publications: boolean;
  rules: boolean;
  statistics: boolean;
  textSearch: boolean;
  transforms: boolean;
}

/** A census that skips nothing. */
export const EVERY_KIND: Census = {
  accessMethods: true,
  casts: true,
  collations: true,
  conversions: true,
  defaultPrivileges: true,
  eventTriggers: true,
  foreignData: true,
  languages: true,
  operatorClasses: true,
  operators: true,
  policies: true,
  publications: true,
  rules: true,
  statistics: true,
  textSearch: true,
  transforms: true,
};

export async function readCensus(ctx: Pick<CatalogContext, 'session' | 'version'>): Promise<Census> {
  const user = (catalog: string) => `EXISTS (SELECT 1 FROM pg_catalog.${catalog} WHERE oid >= 16384)`;
  const any = (catalog: string) => `EXISTS (SELECT 1 FROM pg_catalog.${catalog})`;
  // Publications and extended statistics came with PostgreSQL 10 (their readers skip older servers).
  const since10 = (sql: string) => (ctx.version >= 100000 ? sql : 'false');
  const columns: Record<keyof Census, string> = {
    accessMethods: user('pg_am'),
    casts: user('pg_cast'),
    collations: user('pg_collation'),
    conversions: user('pg_conversion'),
    defaultPrivileges: any('pg_default_acl'),
    eventTriggers: any('pg_event_trigger'),
    // A user mapping needs a server, and a server a wrapper (core has none of its own).
    foreignData: `${user('pg_foreign_data_wrapper')} OR ${user('pg_foreign_server')}`,
    languages: user('pg_language'),
    // Members added to an existing family (ALTER OPERATOR FAMILY … ADD) are rows of their own.
    operatorClasses: `${user('pg_opfamily')} OR ${user('pg_opclass')} OR ${user('pg_amop')} OR ${user('pg_amproc')}`,
    operators: user('pg_operator'),
    policies: any('pg_policy'),
    publications: since10(any('pg_publication')),
    // Every view has a rule of its own (_RETURN), which the rules reader leaves to the views.
    rules: `EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite WHERE oid >= 16384 AND rulename <> '_RETURN')`,
    statistics: since10(any('pg_statistic_ext')),
    textSearch: `${user('pg_ts_parser')} OR ${user('pg_ts_template')} OR ${user('pg_ts_dict')} OR ${user('pg_ts_config')}`,
    transforms: any('pg_transform'),
  };
  const names = Object.keys(columns) as (keyof Census)[];
  const [row] = await rows<Record<string, boolean>>(
    ctx as CatalogContext,
    `SELECT ${names.map((n) => `(${columns[n]}) AS "${n}"`).join(', ')}`,
  );
  return Object.fromEntries(names.map((n) => [n, row?.[n] !== false])) as unknown as Census;
}
