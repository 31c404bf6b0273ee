import type { PgSession } from '../../src/engines/postgres/connect.js';
import type { CatalogContext } from '../../src/engines/postgres/introspect/context.js';
import { listSchemas, readCatalog } from '../../src/engines/postgres/introspect/read-catalog.js';
import { selectRelations } from '../../src/engines/postgres/introspect/relations.js';
import { NameFilter } from '../../src/engines/postgres/patterns.js';
import { readServerInfo } from '../../src/engines/postgres/server-info.js';

/**
 * Reads the whole database's catalog as a backup does, without locking: `helpers` read beside
 * `session` (joined to its snapshot already), objects packed from `packFromRelations` relations.
 */
export async function readWholeCatalog(session: PgSession, helpers: PgSession[], packFromRelations: number) {
  const server = await readServerInfo(session);
  const filter = new NameFilter({});
  const ctx: CatalogContext = {
    session,
    version: server.versionNum,
    schemas: [],
    relations: [],
    warnings: [],
    incomplete: [],
  };
  ctx.schemas = await listSchemas(ctx, filter);
  ctx.relations = (await selectRelations(ctx, filter)).map((r) => r.oid);
  const catalog = await readCatalog(ctx, helpers, undefined, undefined, undefined, packFromRelations);
  return { catalog, warnings: ctx.warnings, incomplete: ctx.incomplete };
}
