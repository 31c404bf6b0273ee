// A PGlite database (PostgreSQL 18 compiled to WebAssembly) served over the
// wire protocol by pglite-socket, for cross-version tests and the INSERT data
// path (pglite-socket cannot take COPY FROM STDIN).
import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { hstore } from '@electric-sql/pglite/contrib/hstore';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PgliteServer {
  url: string;
  db: PGlite;
  stop(): Promise<void>;
}

/** Starts an in-memory PGlite with the contrib extensions the fixtures use, on a free loopback port. */
export async function startPglite(): Promise<PgliteServer> {
  const db = await PGlite.create({ extensions: { citext, hstore, pgcrypto } });
  // The fixtures grant to this role; on a real server the fixture creates it cluster-wide.
  await db.exec('CREATE ROLE stowage_fixture_reader NOLOGIN');
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    db,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
