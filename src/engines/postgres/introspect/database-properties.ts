import type { PgSession } from '../connect.js';
import type { PgDatabaseProperties } from '../model.js';
import type { AclEntry } from './acl.js';
import { aclJson } from './sql.js';

/**
 * The backed-up database's own properties (owner, comment, grants, connection
 * limit, locale, `ALTER DATABASE … SET` and `ALTER ROLE … IN DATABASE … SET`),
 * which pg_dump writes with `--create`.
 */
export async function readDatabaseProperties(session: PgSession): Promise<PgDatabaseProperties> {
  const { rows } = await session.query<{
    owner: string;
    comment: string | null;
    acl: AclEntry[] | null;
    connlimit: number;
    collate: string;
    ctype: string;
    settings: string[] | null;
    role_settings: { role: string; settings: string[] }[] | null;
  }>(
    `SELECT pg_catalog.pg_get_userbyid(d.datdba) AS owner,
       pg_catalog.shobj_description(d.oid, 'pg_database') AS comment,
       ${aclJson('d.datacl')} AS acl, d.datconnlimit AS connlimit,
       d.datcollate AS collate, d.datctype AS ctype,
       (SELECT s.setconfig FROM pg_catalog.pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole = 0) AS settings,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('role', pg_catalog.pg_get_userbyid(s.setrole), 'settings', s.setconfig)
          ORDER BY pg_catalog.pg_get_userbyid(s.setrole))
        FROM pg_catalog.pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole <> 0) AS role_settings
     FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()`,
    [],
    'reading the database properties',
  );
  const r = rows[0];
  if (!r) throw new Error('current_database() is not in pg_database');
  return {
    owner: r.owner,
    comment: r.comment,
    acl: r.acl,
    connectionLimit: Number(r.connlimit),
    collate: r.collate,
    ctype: r.ctype,
    settings: r.settings ?? [],
    roleSettings: r.role_settings ?? [],
  };
}
