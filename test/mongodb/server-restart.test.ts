import type { Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { mongodbEngine } from '../../src/engines/mongodb/engine.js';
import { MongoRestoreError } from '../../src/engines/mongodb/restore.js';
import { StowageError } from '../../src/errors.js';
import { ignoreProgress } from '../../src/progress.js';
import { backupToMemory } from './support/engine.js';
import { GatedWriters, gatedReaders } from './support/gated-streams.js';
import { ferretdbBinary, PrivateFerretDB } from './support/private-ferretdb.js';

// A server that dies mid-run. These tests start a FerretDB of their own (they
// must not kill the shared test server) and stop it at a precise point of the
// run through gated streams, never by timing.

const bin = ferretdbBinary();
const why = 'needs an installed FerretDB 1.24.2 binary to start and kill a server of its own';

async function seed(url: string, db: string, collection: string, n: number, padBytes: number) {
  const client = new MongoClient(url);
  try {
    await client.connect();
    const docs = Array.from({ length: n }, (_, i) => ({ _id: i, pad: 'x'.repeat(padBytes) }));
    for (let i = 0; i < docs.length; i += 500)
      await client
        .db(db)
        .collection(collection)
        .insertMany(docs.slice(i, i + 500) as Document[]);
  } finally {
    await client.close();
  }
}

async function count(url: string, db: string, collection: string): Promise<number> {
  const client = new MongoClient(url);
  try {
    await client.connect();
    return await client.db(db).collection(collection).countDocuments();
  } finally {
    await client.close();
  }
}

describe.skipIf(!bin)(`server killed mid-run (${bin ? 'private FerretDB' : why})`, () => {
  let server: PrivateFerretDB | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('backup: one-line error, then a clean backup once the server is back', async () => {
    server = await PrivateFerretDB.start();
    const srv = server;
    await seed(srv.url, 'shop', 'orders', 3000, 4000);
    const streams = new GatedWriters('shop.orders', async () => {
      await srv.kill();
      await srv.launch();
    });
    const error = await mongodbEngine
      .backup({ url: `${srv.url}shop`, streams, jobs: 1, options: {}, progress: ignoreProgress })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StowageError);
    const se = error as StowageError;
    // The server is back by the time the backup reads on: its old connections are gone, and so is the cursor.
    expect(['mongo-connection-lost', 'mongo-cursor-lost'], se.message).toContain(se.code);
    expect(se.message).toMatch(
      new RegExp(`MongoDB at 127\\.0\\.0\\.1:${srv.port}.*during backup of shop\\.orders`),
    );
    expect(se.message).not.toContain('\n');

    const again = await backupToMemory(`${srv.url}shop`);
    expect(again.streams.list()).toEqual([expect.objectContaining({ name: 'shop.orders', items: 3000 })]);
  });

  it('restore: one-line error naming the collections that are complete', async () => {
    server = await PrivateFerretDB.start();
    const srv = server;
    await seed(srv.url, 'shop', 'orders', 3000, 4000);
    await seed(srv.url, 'shop', 'users', 10, 10);
    const backup = await backupToMemory(`${srv.url}shop`);

    let usersDone!: () => void;
    const usersRestored = new Promise<void>((resolve) => {
      usersDone = resolve;
    });
    const error = await mongodbEngine
      .restore({
        url: `${srv.url}copy`,
        streams: gatedReaders(backup.streams, 'shop.orders', async () => {
          await usersRestored;
          await srv.kill();
        }),
        schema: backup.result.schema,
        jobs: 2,
        options: { batchBytes: 1024 * 1024 },
        progress: (e) => {
          if (e.type === 'unit-done' && e.name === 'copy.users') usersDone();
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoRestoreError);
    const re = error as MongoRestoreError;
    // However the kill reaches the in-flight inserts (a closed connection, Node's EPIPE on a write that was
    // waiting for 'drain', a refused reconnect), it is a lost connection. The message shows what it was if not.
    expect(re.code, re.message).toBe('mongo-connection-lost');
    expect(re.message).toMatch(
      new RegExp(`^lost the connection to MongoDB at 127\\.0\\.0\\.1:${srv.port} during `),
    );
    expect(re.message).toMatch(
      /; complete: copy\.users; not complete: copy\.orders; [\d,]+ documents inserted$/,
    );
    expect(re.complete).toEqual(['copy.users']);
    expect(re.incomplete).toEqual(['copy.orders']);

    await srv.launch();
    expect(await count(srv.url, 'copy', 'users')).toBe(10);
  });
});
