import { StowageError } from '../../../errors.js';
import { PgSession, parseTarget } from '../connect.js';
import { qualify } from '../ident.js';
import type { PostgresBackupOptions } from '../options.js';
import { NameFilter } from '../patterns.js';

/**
 * Checks a server can be followed before anything is created on it:
 * `wal_level = logical`, a free replication slot and walsender, the
 * REPLICATION privilege, and that every followed table can be replayed:
 * a replica identity (primary key or identity index; FULL only when
 * `replicaIdentityFull` allows it) and logged (unlogged tables are not in the WAL).
 */
export async function preflightPostgresFollow(
  url: string,
  rawOptions: Record<string, unknown>,
): Promise<void> {
  const options = rawOptions as PostgresBackupOptions;
  const filter = new NameFilter(options);
  const dataFilter = new NameFilter({ excludeTables: options.excludeTableData });
  const session = await PgSession.open(parseTarget(url), { mode: 'backup' });
  try {
    const { rows } = await session.query<{
      wal_level: string;
      slots: string;
      used: string;
      senders: string;
      may_replicate: boolean;
    }>(
      `SELECT current_setting('wal_level') AS wal_level,
              current_setting('max_replication_slots') AS slots,
              (SELECT count(*) FROM pg_catalog.pg_replication_slots)::text AS used,
              current_setting('max_wal_senders') AS senders,
              (SELECT rolsuper OR rolreplication FROM pg_catalog.pg_roles WHERE rolname = current_user) AS may_replicate`,
      [],
      'checking the replication settings',
    );
    const s = rows[0];
    if (!s) throw new StowageError('pg-error', 'the server returned no settings');
    if (s.wal_level !== 'logical')
      throw new StowageError(
        'pg-follow-setup',
        `wal_level is ${s.wal_level}: continuous backup reads changes through logical decoding, which needs wal_level = logical`,
        'run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL (managed services: set the logical replication parameter, e.g. rds.logical_replication = 1, cloudsql.logical_decoding = on)',
      );
    if (Number(s.used) >= Number(s.slots))
      throw new StowageError(
        'pg-follow-setup',
        `all ${s.slots} replication slots are in use (max_replication_slots)`,
        'drop an unused slot (SELECT pg_drop_replication_slot(name)) or raise max_replication_slots and restart PostgreSQL',
      );
    if (Number(s.senders) < 1)
      throw new StowageError(
        'pg-follow-setup',
        'max_wal_senders is 0: no replication connection is possible',
        'run ALTER SYSTEM SET max_wal_senders = 10; then restart PostgreSQL',
      );
    if (!s.may_replicate)
      throw new StowageError(
        'pg-follow-setup',
        `role ${session.target.user} may not open replication connections`,
        `run ALTER ROLE ${session.target.user} REPLICATION; as a superuser`,
      );

    const tables = await session.query<{
      schema: string;
      name: string;
      identity: string;
      has_key: boolean;
      persistence: string;
      ancestors: { schema: string; name: string }[];
    }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relreplident AS identity, c.relpersistence AS persistence,
              CASE c.relreplident
                WHEN 'd' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
                WHEN 'i' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)
                ELSE false END AS has_key,
              COALESCE((SELECT json_agg(json_build_object('schema', pn.nspname, 'name', p.relname))
                          FROM pg_catalog.pg_inherits h
                          JOIN pg_catalog.pg_class p ON p.oid = h.inhparent
                          JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
                         WHERE h.inhrelid = c.oid AND c.relispartition), '[]') AS ancestors
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND c.relpersistence <> 't'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                           WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1, 2`,
      [],
      'checking the tables to follow',
    );
    const followed = tables.rows.filter(
      // The data filter refuses exactly the tables whose rows are left out (--exclude-table-data).
      (t) =>
        filter.relation(t.schema, t.name, t.ancestors) && dataFilter.relation(t.schema, t.name, t.ancestors),
    );
    const noKey = followed
      .filter((t) => !t.has_key && t.identity !== 'f')
      .map((t) => qualify(t.schema, t.name));
    const full = followed.filter((t) => t.identity === 'f').map((t) => qualify(t.schema, t.name));
    const unlogged = followed.filter((t) => t.persistence === 'u').map((t) => qualify(t.schema, t.name));
    if (noKey.length)
      throw new StowageError(
        'pg-follow-setup',
        `${noKey.length} ${noKey.length === 1 ? 'table has' : 'tables have'} no primary key or replica identity, so their updates and deletes cannot be replayed: ${list(noKey)}`,
        'add a primary key, or ALTER TABLE … REPLICA IDENTITY FULL and allow it (--replica-identity-full), or leave them out (--exclude-table)',
      );
    if (full.length && !options.replicaIdentityFull)
      throw new StowageError(
        'pg-follow-setup',
        `${full.length} ${full.length === 1 ? 'table has' : 'tables have'} REPLICA IDENTITY FULL (rows found by comparing every column, slow on big tables): ${list(full)}`,
        'allow them with --replica-identity-full, or give them a primary key',
      );
    if (unlogged.length)
      throw new StowageError(
        'pg-follow-setup',
        `${unlogged.length} unlogged ${unlogged.length === 1 ? 'table is' : 'tables are'} not in the WAL, so their changes cannot be followed: ${list(unlogged)}`,
        'make them logged (ALTER TABLE … SET LOGGED) or leave them out (--exclude-table or --exclude-table-data)',
      );
  } finally {
    await session.close();
  }
}

function list(names: string[]): string {
  return names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ');
}
