import { quoteIdent, quoteLiteral } from '../ident.js';
import { type AclEntry, aclStatements, commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { aclJson, commentOf, notExtensionMember, optionsList } from './sql.js';

interface WrapperRow {
  oid: string;
  fdwname: string;
  owner: string;
  handler: string | null;
  validator: string | null;
  options: string | null;
  acl: AclEntry[] | null;
  comment: string | null;
}

interface ServerRow {
  oid: string;
  srvname: string;
  fdwname: string;
  owner: string;
  srvtype: string | null;
  srvversion: string | null;
  options: string | null;
  acl: AclEntry[] | null;
  comment: string | null;
}

interface MappingRow {
  umid: string;
  srvname: string;
  usename: string;
  public: boolean;
  options: string | null;
  /** Whether this role may see the mapping's options (pg_user_mappings shows NULL otherwise). */
  visible: boolean;
}

/**
 * Foreign-data wrappers, foreign servers and user mappings, as pg_dump writes
 * them. Wrappers and servers that an extension creates (postgres_fdw's wrapper)
 * come back with CREATE EXTENSION. User mapping options are kept as they are,
 * passwords included, like pg_dump: they live only in the (encryptable)
 * archive, never in messages.
 */
export async function readForeignData(ctx: CatalogContext): Promise<CatalogObject[]> {
  // A selective backup takes only the servers its foreign tables use, with their wrappers and mappings.
  const usedServers = `(SELECT ft.ftserver FROM pg_catalog.pg_foreign_table ft WHERE ft.ftrelid = ANY($1::oid[]))`;
  const onlyUsed = (serverOid: string) => (ctx.selective ? `AND ${serverOid} IN ${usedServers}` : '');
  const params = ctx.selective ? [ctx.relations] : [];
  const wrappers = await rows<WrapperRow>(
    ctx,
    `SELECT w.oid, w.fdwname, pg_catalog.pg_get_userbyid(w.fdwowner) AS owner,
       CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::pg_catalog.regproc::text END AS handler,
       CASE WHEN w.fdwvalidator <> 0 THEN w.fdwvalidator::pg_catalog.regproc::text END AS validator,
       ${optionsList('w.fdwoptions')} AS options, ${aclJson('w.fdwacl')} AS acl,
       ${commentOf('pg_foreign_data_wrapper', 'w.oid')} AS comment
     FROM pg_catalog.pg_foreign_data_wrapper w
     WHERE ${notExtensionMember('pg_foreign_data_wrapper', 'w.oid')}
       ${ctx.selective ? `AND w.oid IN (SELECT s.srvfdw FROM pg_catalog.pg_foreign_server s WHERE s.oid IN ${usedServers})` : ''}
     ORDER BY w.fdwname`,
    params,
  );
  const servers = await rows<ServerRow>(
    ctx,
    `SELECT s.oid, s.srvname, w.fdwname, pg_catalog.pg_get_userbyid(s.srvowner) AS owner,
       s.srvtype, s.srvversion, ${optionsList('s.srvoptions')} AS options, ${aclJson('s.srvacl')} AS acl,
       ${commentOf('pg_foreign_server', 's.oid')} AS comment
     FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
     WHERE ${notExtensionMember('pg_foreign_server', 's.oid')} ${onlyUsed('s.oid')} ORDER BY s.srvname`,
    params,
  );
  // pg_user_mappings shows the options only to whoever may see them (superuser, the user, the server's
  // owner): the same test, repeated here, tells hidden options from none.
  const mappings = await rows<MappingRow>(
    ctx,
    `SELECT um.umid, um.srvname, um.usename, um.umuser = 0 AS public, ${optionsList('um.umoptions')} AS options,
       COALESCE((um.umuser <> 0 AND um.usename = CURRENT_USER
           AND (pg_catalog.pg_has_role(s.srvowner, 'USAGE') OR pg_catalog.has_server_privilege(s.oid, 'USAGE')))
         OR (um.umuser = 0 AND pg_catalog.pg_has_role(s.srvowner, 'USAGE'))
         OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER), false) AS visible
     FROM pg_catalog.pg_user_mappings um JOIN pg_catalog.pg_foreign_server s ON s.oid = um.srvid
     WHERE ${notExtensionMember('pg_foreign_server', 'um.srvid')} ${onlyUsed('um.srvid')}
     ORDER BY um.srvname, um.usename`,
    params,
  );
  const hidden = mappings.filter((m) => !m.visible).length;
  if (hidden)
    ctx.incomplete.push(`user mapping options (hidden from this role; back up as superuser): ${hidden}`);

  const objects: CatalogObject[] = [];
  for (const w of wrappers) {
    const name = quoteIdent(w.fdwname);
    let create = `CREATE FOREIGN DATA WRAPPER ${name}`;
    if (w.handler) create += ` HANDLER ${w.handler}`;
    if (w.validator) create += ` VALIDATOR ${w.validator}`;
    if (w.options) create += ` OPTIONS (${w.options})`;
    objects.push({
      id: `foreign-data-wrapper:${w.fdwname}`,
      kind: 'foreign-data-wrapper',
      section: 'pre-data',
      schema: null,
      name: w.fdwname,
      sql: [create, ...commentStatement(`FOREIGN DATA WRAPPER ${name}`, w.comment)],
      drop: `DROP FOREIGN DATA WRAPPER IF EXISTS ${name}`,
      owner: ownerStatement(`FOREIGN DATA WRAPPER ${name}`, w.owner),
      acl: aclStatements('FOREIGN DATA WRAPPER', name, w.owner, w.acl),
      deps: [],
      keys: [catalogKey('pg_foreign_data_wrapper', w.oid)],
    });
  }
  for (const s of servers) {
    const name = quoteIdent(s.srvname);
    let create = `CREATE SERVER ${name}`;
    if (s.srvtype != null) create += ` TYPE ${quoteLiteral(s.srvtype)}`;
    if (s.srvversion != null) create += ` VERSION ${quoteLiteral(s.srvversion)}`;
    create += ` FOREIGN DATA WRAPPER ${quoteIdent(s.fdwname)}`;
    if (s.options) create += ` OPTIONS (${s.options})`;
    objects.push({
      id: `foreign-server:${s.srvname}`,
      kind: 'foreign-server',
      section: 'pre-data',
      schema: null,
      name: s.srvname,
      sql: [create, ...commentStatement(`SERVER ${name}`, s.comment)],
      drop: `DROP SERVER IF EXISTS ${name}`,
      owner: ownerStatement(`SERVER ${name}`, s.owner),
      acl: aclStatements('FOREIGN SERVER', name, s.owner, s.acl),
      deps: [`foreign-data-wrapper:${s.fdwname}`],
      keys: [catalogKey('pg_foreign_server', s.oid)],
    });
  }
  for (const m of mappings) {
    const user = m.public ? 'PUBLIC' : quoteIdent(m.usename);
    const server = quoteIdent(m.srvname);
    objects.push({
      id: `user-mapping:${m.srvname}:${m.public ? 'PUBLIC' : m.usename}`,
      kind: 'user-mapping',
      section: 'pre-data',
      schema: null,
      name: `${m.public ? 'PUBLIC' : m.usename} SERVER ${m.srvname}`,
      sql: [`CREATE USER MAPPING FOR ${user} SERVER ${server}${m.options ? ` OPTIONS (${m.options})` : ''}`],
      drop: `DROP USER MAPPING IF EXISTS FOR ${user} SERVER ${server}`,
      ...(m.options ? { secret: true } : {}),
      // The mapped role must exist on the target (checked before anything is applied) and follows --map-role.
      ...(m.public ? {} : { roles: [user] }),
      deps: [`foreign-server:${m.srvname}`],
      keys: [catalogKey('pg_user_mapping', m.umid)],
    });
  }
  return objects;
}
