// A backup's leader session waits for each answer before it sends the next statement (pg's queue),
// so every statement before the first COPY is a round trip on the backup's critical path (issue 14:
// a small backup is fixed costs). Seen on the wire: the server's version comes with the session's
// settings, BEGIN and the snapshot's export go in one message, and client_encoding is set before
// the COPYs only when the session did not start in the database's encoding (pg asks for UTF8 at
// start-up): the second case is a LATIN1 database, whose bytes the archive must hold unchanged.
import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresEngine } from '../../src/engines/postgres/engine.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';

let utf8: TestPgDatabase;
const latin1 = `leader_round_trips_latin1_${randomBytes(4).toString('hex')}`;

const NOTES = `CREATE TABLE notes (id int PRIMARY KEY, note text);
  INSERT INTO notes VALUES (1, 'plain'), (2, 'café crème');`;

beforeAll(async () => {
  utf8 = await createPgDatabase('leader_round_trips');
  await withPgClient(utf8.url, (c) => c.query(NOTES));
  await withPgClient(pgUrlFor('postgres'), (c) =>
    c.query(`CREATE DATABASE ${latin1} TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'`),
  );
  await withPgClient(pgUrlFor(latin1), (c) => c.query(NOTES));
});

afterAll(async () => {
  await utf8?.drop();
  await withPgClient(pgUrlFor('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${latin1} WITH (FORCE)`));
});

/** The statements (simple Query or Parse) each connection opened meanwhile sent, in order. */
function recordStatements(): { sent: string[][]; stop: () => void } {
  const sent: string[][] = [];
  const onSocket = ({ socket }: { socket: Socket }) => {
    const statements: string[] = [];
    sent.push(statements);
    const seen = (chunk: unknown) => {
      if (chunk instanceof Uint8Array) statements.push(...statementsIn(Buffer.from(chunk)));
    };
    // pg corks the socket around a statement's messages: they come out through _writev.
    const raw = socket as unknown as {
      _write: (chunk: unknown, ...rest: unknown[]) => void;
      _writev: (chunks: { chunk: unknown }[], ...rest: unknown[]) => void;
    };
    const write = raw._write;
    const writev = raw._writev;
    raw._write = function (this: unknown, chunk, ...rest) {
      seen(chunk);
      return write.call(this, chunk, ...rest);
    };
    raw._writev = function (this: unknown, chunks, ...rest) {
      for (const c of chunks) seen(c.chunk);
      return writev.call(this, chunks, ...rest);
    };
  };
  diagnosticsChannel.subscribe('net.client.socket', onSocket as (message: unknown) => void);
  return {
    sent,
    stop: () => diagnosticsChannel.unsubscribe('net.client.socket', onSocket as (message: unknown) => void),
  };
}

/** The SQL of the Query and Parse messages in one write of the frontend protocol. */
function statementsIn(bytes: Buffer): string[] {
  const found: string[] = [];
  // The startup packet has no type byte: protocol 3.0 in its second word.
  if (bytes.length >= 8 && bytes.readInt32BE(4) === 196608) return found;
  for (let at = 0; at + 5 <= bytes.length; ) {
    const type = String.fromCharCode(bytes[at] as number);
    const length = bytes.readInt32BE(at + 1);
    if (length < 4) break;
    const body = bytes.subarray(at + 5, Math.min(bytes.length, at + 1 + length));
    if (type === 'Q') found.push(body.toString('utf8', 0, body.indexOf(0)));
    if (type === 'P') {
      const sql = body.subarray(body.indexOf(0) + 1);
      found.push(sql.toString('utf8', 0, sql.indexOf(0)));
    }
    at += 1 + length;
  }
  return found;
}

async function leaderStatements(url: string) {
  const recording = recordStatements();
  const streams = new MemoryStreams();
  try {
    // One job: the leader copies every table itself.
    await postgresEngine.backup({ url, streams, jobs: 1, options: {}, progress: () => {} });
  } finally {
    recording.stop();
  }
  const leader = recording.sent.find((s) => s.some((sql) => sql.startsWith('BEGIN'))) ?? [];
  const firstCopy = leader.findIndex((sql) => sql.startsWith('COPY '));
  const notes = Buffer.concat(
    streams.data.get([...streams.data.keys()].find((n) => n.includes('notes')) ?? '')?.chunks ?? [],
  );
  return { beforeCopy: leader.slice(0, firstCopy), notes };
}

describe("a backup's leader before its first COPY", () => {
  it('asks the server who it is with its settings, and begins and exports in one message', async () => {
    const { beforeCopy, notes } = await leaderStatements(utf8.url);
    expect(beforeCopy[0]).toMatch(/^SELECT pg_catalog\.set_config\(.*pg_catalog\.version\(\)/s);
    expect(beforeCopy.filter((sql) => /server_version_num/.test(sql))).toHaveLength(1);
    expect(beforeCopy[1]).toMatch(
      /^BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT pg_catalog\.pg_export_snapshot\(\)/,
    );
    expect(beforeCopy.filter((sql) => sql.includes("set_config('client_encoding'"))).toEqual([]);
    expect(notes.toString('utf8')).toContain('café crème');
  }, 60_000);

  it("sets the database's encoding where the session started in another, and copies its bytes unchanged", async () => {
    const { beforeCopy, notes } = await leaderStatements(pgUrlFor(latin1));
    expect(beforeCopy.filter((sql) => sql.includes("set_config('client_encoding'"))).toHaveLength(1);
    expect(notes.includes(Buffer.from('café crème', 'latin1'))).toBe(true);
  }, 60_000);
});
