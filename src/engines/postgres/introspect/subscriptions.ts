import { quoteIdent, quoteLiteral } from '../ident.js';
import { commentStatement, ownerStatement } from './acl.js';
import { type CatalogContext, type CatalogObject, catalogKey, rows } from './context.js';
import { commentOf } from './sql.js';

interface SubscriptionRow {
  oid: string;
  subname: string;
  owner: string;
  conninfo: string;
  slotname: string | null;
  publications: string[];
  binary: boolean;
  streaming: string;
  twophase: string;
  disableonerr: boolean;
  synccommit: string;
  origin: string;
  passwordrequired: boolean;
  runasowner: boolean;
  failover: boolean;
  comment: string | null;
}

/**
 * The current database's subscriptions, written as pg_dump writes them:
 * `CREATE SUBSCRIPTION … WITH (connect = false, slot_name = …)`, so restoring
 * neither connects to the publisher nor creates a slot, and the subscription
 * comes back disabled (ALTER SUBSCRIPTION … ENABLE / REFRESH to resume). The
 * connection string is kept as is, like pg_dump.
 *
 * Only a superuser may read the connection strings; for anyone else the
 * subscriptions are recorded as something the backup could not carry.
 */
export async function readSubscriptions(ctx: CatalogContext): Promise<CatalogObject[]> {
  if (ctx.selective) return [];
  if (ctx.version < 100000) return [];
  const [access] = await rows<{ count: string; readable: boolean }>(
    ctx,
    `SELECT (SELECT pg_catalog.count(*) FROM pg_catalog.pg_subscription s
              WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())) AS count,
       pg_catalog.has_column_privilege('pg_catalog.pg_subscription', 'subconninfo', 'SELECT') AS readable`,
  );
  if (!access || Number(access.count) === 0) return [];
  if (!access.readable) {
    ctx.incomplete.push(`subscriptions (reading them needs superuser): ${access.count}`);
    return [];
  }
  const v = ctx.version;
  const list = await rows<SubscriptionRow>(
    ctx,
    `SELECT s.oid, s.subname, pg_catalog.pg_get_userbyid(s.subowner) AS owner, s.subconninfo AS conninfo,
       s.subslotname AS slotname, s.subpublications::text[] AS publications,
       ${v >= 140000 ? 's.subbinary' : 'false'} AS binary,
       ${v >= 140000 ? 's.substream::text' : `'f'`} AS streaming,
       ${v >= 150000 ? 's.subtwophasestate::text' : `'d'`} AS twophase,
       ${v >= 150000 ? 's.subdisableonerr' : 'false'} AS disableonerr,
       s.subsynccommit AS synccommit,
       ${v >= 160000 ? 's.suborigin' : `'any'`} AS origin,
       ${v >= 160000 ? 's.subpasswordrequired' : 'true'} AS passwordrequired,
       ${v >= 160000 ? 's.subrunasowner' : 'false'} AS runasowner,
       ${v >= 170000 ? 's.subfailover' : 'false'} AS failover, ${commentOf('pg_subscription', 's.oid')} AS comment
     FROM pg_catalog.pg_subscription s
     WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
     ORDER BY s.subname`,
  );
  return list.map((s) => {
    const name = quoteIdent(s.subname);
    const options = [
      'connect = false',
      `slot_name = ${s.slotname == null ? 'NONE' : quoteLiteral(s.slotname)}`,
    ];
    if (s.binary) options.push('binary = true');
    // substream is a boolean before 16 ('true'/'false' as text) and 'f'/'t'/'p' from 16.
    if (s.streaming === 'p') options.push('streaming = parallel');
    else if (s.streaming === 't' || s.streaming === 'true') options.push('streaming = on');
    if (s.twophase !== 'd') options.push('two_phase = on');
    if (s.disableonerr) options.push('disable_on_error = true');
    if (s.synccommit !== 'off') options.push(`synchronous_commit = ${quoteLiteral(s.synccommit)}`);
    if (s.origin !== 'any') options.push(`origin = ${quoteLiteral(s.origin)}`);
    if (!s.passwordrequired) options.push('password_required = false');
    if (s.runasowner) options.push('run_as_owner = true');
    if (s.failover) options.push('failover = true');
    return {
      id: `subscription:${s.subname}`,
      kind: 'subscription',
      section: 'post-data',
      schema: null,
      name: s.subname,
      sql: [
        `CREATE SUBSCRIPTION ${name} CONNECTION ${quoteLiteral(s.conninfo)} PUBLICATION ${s.publications
          .map(quoteIdent)
          .join(', ')} WITH (${options.join(', ')})`,
        ...commentStatement(`SUBSCRIPTION ${name}`, s.comment),
      ],
      drop: dropSubscription(s.subname),
      secret: true,
      owner: ownerStatement(`SUBSCRIPTION ${name}`, s.owner),
      deps: [],
      keys: [catalogKey('pg_subscription', s.oid)],
    } satisfies CatalogObject;
  });
}

/**
 * Drops a subscription without contacting its publisher: DROP SUBSCRIPTION of
 * one with a slot connects to drop the slot, and the publisher of a restored
 * (cleaned) database is usually not there or not ours to change. The slot, if
 * any, stays on the publisher, where the recreated subscription names it again.
 */
function dropSubscription(subname: string): string {
  const name = quoteIdent(subname);
  return `DO $stowage$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = ${quoteLiteral(subname)}
             AND subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())) THEN
    ALTER SUBSCRIPTION ${name} DISABLE;
    ALTER SUBSCRIPTION ${name} SET (slot_name = NONE);
    DROP SUBSCRIPTION ${name};
  END IF;
END $stowage$`;
}
