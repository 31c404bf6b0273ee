// The end of a PostgreSQL backup's critical path (issue 14, small databases): what the backup asks
// once the catalog's rows are in, and how its sessions end.
// - The database's properties, the extensions' configuration, the sequences' values and the large
//   objects' catalog are sent together when the rows are in (the server answers while the client
//   orders the objects), the last two on the data session where the database is UTF-8; they used
//   to be round trips one after another on the leader.
// - The sessions end while the caller writes the archive's footer: the engine hands back its result
//   with the closing still under way (`closing`), and ops/backup awaits it before it reports, so a
//   finished backup leaves no connection open.
// Either way the archive is the same as a backup whose sessions asked everything in turn.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSession } from '../../src/engines/postgres/connect.js';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import { backup } from '../../src/ops/backup.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';

let db: TestPgDatabase;
let dir: string;

beforeAll(async () => {
  db = await createPgDatabase('after_catalog');
  dir = await mkdtemp(join(tmpdir(), 'stowage-after-catalog-'));
  await withPgClient(db.url, (c) =>
    c.query(`
      CREATE TABLE items (id serial PRIMARY KEY, note text);
      INSERT INTO items (note) SELECT 'note ' || g FROM generate_series(1, 100) g;
      -- Analyzed now, so autovacuum cannot change the estimates between the runs compared.
      ANALYZE items;
      COMMENT ON DATABASE ${c.escapeIdentifier(db.name)} IS 'kept with the archive';`),
  );
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a backup's sessions asked and when it was answered, in the order it happened. */
interface Asked {
  session: PgSession;
  sql: string;
  answered: boolean;
}

/** Runs `work` with every PgSession.query recorded; the recorder is removed afterwards. */
async function recordingQueries<T>(
  work: () => Promise<T>,
): Promise<{ value: T; log: string[]; asked: Asked[] }> {
  const original = PgSession.prototype.query;
  const asked: Asked[] = [];
  const log: string[] = [];
  PgSession.prototype.query = function (this: PgSession, sql: string, ...rest: unknown[]) {
    const entry: Asked = { session: this, sql, answered: false };
    asked.push(entry);
    log.push(`asked ${sql}`);
    const answer = (original as (...a: unknown[]) => ReturnType<typeof original>).call(this, sql, ...rest);
    return answer.finally(() => {
      entry.answered = true;
      log.push(`answered ${sql}`);
    });
  } as typeof original;
  try {
    return { value: await work(), log, asked };
  } finally {
    PgSession.prototype.query = original;
  }
}

const PROPERTIES = 'pg_catalog.pg_get_userbyid(d.datdba) AS owner';
const EXTENSION_CONFIG = 'CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(e.extconfig)';
const SEQUENCE_VALUES = 'last_value::text AS v';
const LARGE_OBJECTS = 'pg_catalog.count(*) AS n FROM pg_catalog.pg_largeobject_metadata';

function backupOf(jobs: number) {
  const streams = new MemoryStreams();
  return postgresEngine.backup({ url: db.url, streams, jobs, options: {}, progress: () => {} });
}

describe('after the catalog read', () => {
  it('asks what follows together, the sequences and large objects on the data session', async () => {
    const { value: result, log, asked } = await recordingQueries(() => backupOf(2));
    await result.closing;
    const find = (part: string) => {
      const found = asked.filter((a) => a.sql.includes(part));
      expect(found, part).toHaveLength(1);
      return found[0] as Asked;
    };
    const leader = asked.find((a) => a.sql.includes('pg_export_snapshot'))?.session;
    expect(leader).toBeDefined();
    const properties = find(PROPERTIES);
    expect(properties.session).toBe(leader);
    expect(find(EXTENSION_CONFIG).session).toBe(leader);
    // On the data session, which sits idle once the catalog's rows are in.
    expect(find(SEQUENCE_VALUES).session).not.toBe(leader);
    expect(find(LARGE_OBJECTS).session).not.toBe(leader);
    // Every one of them asked before the first is answered: no round trip waits for another.
    const firstAnswer = log.indexOf(`answered ${properties.sql}`);
    for (const part of [EXTENSION_CONFIG, SEQUENCE_VALUES, LARGE_OBJECTS]) {
      expect(log.indexOf(`asked ${find(part).sql}`), part).toBeLessThan(firstAnswer);
    }
    const schema = result.schema as { database: { properties: { comment: string } }; sequences: unknown[] };
    expect(schema.database.properties.comment).toBe('kept with the archive');
    expect(schema.sequences).toHaveLength(1);
  }, 60_000);

  it('gives the same schema with one session, where the leader asks everything', async () => {
    const alone = await backupOf(1);
    await alone.closing;
    const shared = await backupOf(2);
    await shared.closing;
    expect(shared.schema).toEqual(alone.schema);
  }, 60_000);
});

describe('the end of a backup', () => {
  /** Runs `work` with every PgSession.close and .finish recorded: how many began and how many are done. */
  async function recordingCloses<T>(work: (closes: { begun: number; done: number }) => Promise<T>) {
    const originals = { close: PgSession.prototype.close, finish: PgSession.prototype.finish };
    const closes = { begun: 0, done: 0 };
    for (const how of ['close', 'finish'] as const) {
      PgSession.prototype[how] = function (this: PgSession) {
        closes.begun++;
        return originals[how].call(this).finally(() => {
          closes.done++;
        });
      };
    }
    try {
      return await work(closes);
    } finally {
      Object.assign(PgSession.prototype, originals);
    }
  }

  it('hands back the result while its sessions end, and says when they have', async () => {
    await recordingCloses(async (closes) => {
      const result = await backupOf(2);
      expect(result.closing).toBeInstanceOf(Promise);
      // Begun, not finished: the server ends the sessions while the caller writes the footer.
      expect(closes.begun).toBe(2);
      expect(closes.done).toBeLessThan(2);
      await result.closing;
      expect(closes.done).toBe(2);
    });
  }, 60_000);

  it('lets go of its sessions without waiting for the server to close its end, as pg_dump does', async () => {
    // A proxy that passes everything on but never closes the client's end when the server closes its own.
    const target = new URL(db.url);
    const sockets: net.Socket[] = [];
    // Half-open: the client's end of the socket stays open when the client closes its own.
    const proxy = net.createServer({ allowHalfOpen: true }, (client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      sockets.push(client, server);
      client.pipe(server);
      server.on('data', (bytes) => client.write(bytes));
      client.on('error', () => {});
      server.on('error', () => {});
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const via = new URL(db.url);
      via.hostname = '127.0.0.1';
      via.port = String((proxy.address() as net.AddressInfo).port);
      const streams = new MemoryStreams();
      const backedUp = postgresEngine
        .backup({ url: via.toString(), streams, jobs: 2, options: {}, progress: () => {} })
        .then(async (result) => {
          await result.closing;
          return 'ended';
        });
      const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000).unref());
      expect(await Promise.race([backedUp, waited])).toBe('ended');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 60_000);

  it('reports a backup only once its sessions have ended', async () => {
    await recordingCloses(async (closes) => {
      const summary = await backup({ source: db.url, to: join(dir, 'end.stow'), kind: 'manual' });
      expect(summary.items).toBe(100);
      expect(closes.begun).toBeGreaterThanOrEqual(2);
      expect(closes.done).toBe(closes.begun);
    });
  }, 60_000);
});
