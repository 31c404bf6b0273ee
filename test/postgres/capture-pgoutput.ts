// Captures the raw pgoutput messages of a small workload from a real server, for the decoder's
// unit test (pgoutput-captured.ts). Not a test: run it by hand when the capture must change:
//   source /work/wt/test-env.sh && npx tsx test/postgres/capture-pgoutput.ts > test/postgres/pgoutput-captured.ts
import pg from 'pg';
import { parseTarget } from '../../src/engines/postgres/connect.js';
import { ReplicationStream } from '../../src/engines/postgres/follow/replication-stream.js';

async function withPgClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

const server = process.env.STOWAGE_TEST_PG_URL as string;
const name = `stowage_capture_${process.pid}`;
await withPgClient(server, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
const url = new URL(server);
url.pathname = `/${name}`;
const db = { url: url.toString(), drop: () => withPgClient(server, (c) => c.query(`DROP DATABASE ${name}`)) };
const slot = `stowage_capture_${process.pid}`;
const messages: string[] = [];
let stream: ReplicationStream | undefined;
try {
  await withPgClient(db.url, (c) =>
    c.query(`CREATE TYPE mood AS ENUM ('sad', 'ok');
             CREATE TABLE t (id int PRIMARY KEY, s text, b bytea, a int[], m mood, big text);
             ALTER TABLE t ALTER COLUMN big SET STORAGE EXTERNAL;
             CREATE TABLE f (x int, y text); ALTER TABLE f REPLICA IDENTITY FULL;
             CREATE PUBLICATION ${slot} FOR ALL TABLES;`),
  );
  stream = await ReplicationStream.open(parseTarget(db.url));
  const created = await stream.createSlot(slot, 150000);
  await withPgClient(db.url, async (c) => {
    await c.query(
      `INSERT INTO t VALUES (1, 'é "q"', '\\x00ff', '{1,NULL}', 'ok', repeat('z', 3000)), (2, NULL, NULL, NULL, NULL, NULL)`,
    );
    await c.query(`UPDATE t SET s = 'new' WHERE id = 1`);
    await c.query(`UPDATE t SET id = 3 WHERE id = 2`);
    await c.query(`DELETE FROM t WHERE id = 3`);
    await c.query(`INSERT INTO f VALUES (1, 'a'); UPDATE f SET y = 'b'; DELETE FROM f`);
    await c.query(`TRUNCATE t, f RESTART IDENTITY`);
  });
  const live = stream;
  await new Promise<void>((resolve, reject) => {
    let commits = 0;
    live.start(slot, slot, created.consistentPoint, {
      message(data) {
        messages.push(data.toString('hex'));
        if (data[0] === 0x43 && ++commits === 6) resolve();
      },
      progressed() {},
      ended: (err) => (err ? reject(err) : resolve()),
    });
  });
} finally {
  await stream?.close();
  // The walsender takes a moment to release the slot after the connection closes.
  await withPgClient(db.url, async (c) => {
    for (let i = 0; i < 100; i++) {
      const { rows } = await c.query(
        `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active`,
        [slot],
      );
      if (rows.length) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  await db.drop();
}
process.stdout.write(
  `// pgoutput (protocol 1) messages captured from PostgreSQL 15 by capture-pgoutput.ts, in order.\nexport const CAPTURED_PGOUTPUT: string[] = ${JSON.stringify(messages, null, 2)};\n`,
);
