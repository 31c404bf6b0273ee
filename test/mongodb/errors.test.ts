import { type Document, MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { mongodbEngine } from '../../src/engines/mongodb/engine.js';
import { DocumentsRejectedError, MongoRestoreError } from '../../src/engines/mongodb/restore.js';
import type { MongoSchema } from '../../src/engines/mongodb/schema.js';
import { StowageError } from '../../src/errors.js';
import { ignoreProgress } from '../../src/progress.js';
import { freePort } from '../support/local-servers.js';
import { MemoryStreams } from '../support/memory-streams.js';
import { mongoUrlFor, uniqueMongoDbName, withMongoClient } from '../support/mongo.js';
import { mongoUrl } from '../support/servers.js';
import { doc, e } from './support/bson-builder.js';
import { caseDocument, documentOfSize } from './support/bson-cases.js';
import { backupToMemory, restoreFromMemory } from './support/engine.js';
import { GatedWriters } from './support/gated-streams.js';

// Bad input: every expected failure is a one-line StowageError with a hint,
// never a driver stack, never a credential.

const created: string[] = [];
const dbName = (prefix: string) => {
  const name = uniqueMongoDbName(prefix);
  created.push(name);
  return name;
};
afterAll(async () => {
  await withMongoClient(async (client) => {
    for (const name of created) await client.db(name).dropDatabase();
  });
});

function expectOneLine(error: unknown, code: string): StowageError {
  expect(error).toBeInstanceOf(StowageError);
  const e = error as StowageError;
  expect(e.code).toBe(code);
  expect(e.message).not.toContain('\n');
  return e;
}

/** A memory archive built by hand: `collections` maps a collection name to its raw documents. */
function handmadeArchive(db: string, collections: Record<string, Buffer[]>) {
  const streams = new MemoryStreams();
  for (const [name, docs] of Object.entries(collections)) {
    const w = streams.open(`${db}.${name}`);
    for (const d of docs) w.write(d);
    w.itemCount = docs.length;
    w.end();
  }
  const schema: MongoSchema = {
    engine: 'mongodb',
    version: 1,
    server: { version: '7.0.0', topology: 'standalone' },
    databases: [
      {
        name: db,
        collections: Object.entries(collections).map(([name, docs]) => ({
          name,
          type: 'collection',
          options: {},
          indexes: [],
          streams: [`${db}.${name}`],
          documents: docs.length,
          source: 'documents',
        })),
        views: [],
      },
    ],
  };
  return { streams, result: { schema } };
}

const idDoc = (id: number, extra = 0) => doc(e.int32('_id', id), e.int32('v', extra));

describe('connection failures', () => {
  it('an unreachable server fails fast with one line naming host and cause', async () => {
    const port = await freePort();
    const error = await backupToMemory(`mongodb://127.0.0.1:${port}/db`).catch((err: unknown) => err);
    const se = expectOneLine(error, 'mongo-unreachable');
    expect(se.message).toMatch(
      new RegExp(`^cannot reach MongoDB at 127\\.0\\.0\\.1:${port} during connecting: .*ECONNREFUSED`),
    );
    expect(se.hint).toMatch(/host and port/);
  });

  it('never shows the password of an unreachable URL', async () => {
    const port = await freePort();
    const error = await backupToMemory(
      `mongodb://backup:Sup3r%2FSecret@127.0.0.1:${port}/db?authSource=admin`,
    ).catch((err: unknown) => err);
    const se = expectOneLine(error, 'mongo-unreachable');
    expect(`${se.message} ${se.hint} ${String(se.cause)}`.includes('Sup3r')).toBe(false);
  });

  it('wrong credentials', async () => {
    const url = mongoUrl().replace('mongodb://', 'mongodb://stowage_nobody:Wr0ngPassw0rd@');
    const error = await backupToMemory(url).catch((err: unknown) => err);
    const se = expectOneLine(error, 'mongo-auth');
    expect(se.message).toMatch(/^authentication failed on MongoDB at /);
    expect(se.message).not.toContain('Wr0ngPassw0rd');
    expect(se.hint).toMatch(/user name, password and authSource/);
  });

  it('a malformed URL', async () => {
    const error = await backupToMemory('mongodb://host:notaport/x').catch((err: unknown) => err);
    const se = expectOneLine(error, 'mongo-bad-url');
    expect(se.message).toMatch(/^invalid MongoDB URL/);
  });
});

describe('backup failures', () => {
  it('a database that does not exist', async () => {
    const name = uniqueMongoDbName('missing');
    const error = await backupToMemory(mongoUrlFor(name)).catch((err: unknown) => err);
    const se = expectOneLine(error, 'mongo-missing-database');
    expect(se.message).toBe(`database "${name}" not found on the MongoDB server`);
    expect(se.hint).toMatch(/^(databases there: .*|the server has no user databases)$/);
  });

  const victimSource = async (name: string) => {
    const source = dbName(name);
    await withMongoClient(async (client) => {
      const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: i, pad: 'x'.repeat(4000) }));
      for (let i = 0; i < docs.length; i += 500)
        await client
          .db(source)
          .collection('victim')
          .insertMany(docs.slice(i, i + 500) as Document[]);
      await client
        .db(source)
        .collection('kept')
        .insertOne({ _id: 1 } as Document);
    });
    return source;
  };

  it('a collection dropped while it is being read is left out, with a warning, never kept cut short', async () => {
    const source = await victimSource('dropped');
    // The first batch's write waits until the collection is gone; the next getMore then finds no
    // cursor (MongoDB), or the cursor ends as if the data had run out (FerretDB).
    const streams = new GatedWriters(`${source}.victim`, () =>
      withMongoClient(async (client) => {
        await client.db(source).collection('victim').drop();
      }),
    );
    const result = await mongodbEngine.backup({
      url: mongoUrlFor(source),
      streams,
      jobs: 1,
      options: {},
      progress: ignoreProgress,
    });
    const schema = result.schema as MongoSchema;
    expect(schema.databases[0]!.collections.map((c) => c.name)).toEqual(['kept']);
    expect(result.warnings).toContain(
      `collection ${source}.victim was dropped while the backup ran; it is not in this backup`,
    );
  });

  it('a collection dropped and created again while it is being read fails the backup', async () => {
    const source = await victimSource('replaced');
    const streams = new GatedWriters(`${source}.victim`, () =>
      withMongoClient(async (client) => {
        await client.db(source).collection('victim').drop();
        await client
          .db(source)
          .collection('victim')
          .insertOne({ _id: 'new' } as Document);
      }),
    );
    const error = await mongodbEngine
      .backup({ url: mongoUrlFor(source), streams, jobs: 1, options: {}, progress: ignoreProgress })
      .catch((err: unknown) => err);
    const se = expectOneLine(error, 'mongo-collection-dropped');
    expect(se.message).toBe(
      `collection ${source}.victim was dropped and created again while it was being backed up`,
    );
    expect(se.hint).toContain(`--exclude ${source}.victim`);
  });
});

describe('restore failures', () => {
  it('an archive from PostgreSQL', async () => {
    const error = await mongodbEngine
      .restore({
        url: mongoUrlFor(dbName('pg')),
        streams: new MemoryStreams().reader(),
        schema: { engine: 'postgres', version: 1, sections: [] },
        jobs: 1,
        options: {},
        progress: ignoreProgress,
      })
      .catch((err: unknown) => err);
    const se = expectOneLine(error, 'wrong-engine');
    expect(se.message).toBe('this archive is a postgres backup and cannot be restored into MongoDB');
  });

  it('a document over the server limit names the collection and lists the complete ones', async () => {
    const source = 'src';
    const target = dbName('toolarge');
    // `fine` is larger in bytes, so with one job it is restored first and is complete when `bad` fails.
    const fine = Array.from({ length: 20 }, (_, i) => documentOfSize(i, 1024 * 1024));
    const bad = [idDoc(1), documentOfSize(2, 16 * 1024 * 1024 + 1)];
    const archive = handmadeArchive(source, { fine, bad });
    const error = await restoreFromMemory(archive, mongoUrlFor(target), {}, 1).catch((err: unknown) => err);
    const se = expectOneLine(error, 'mongo-document-too-large');
    expect(se).toBeInstanceOf(MongoRestoreError);
    expect(se.message).toMatch(
      new RegExp(
        `^document 2 of ${target}\\.bad is 16777217 bytes, over the server's limit of 16777216 bytes; complete: ${target}\\.fine; not complete: ${target}\\.bad; 2[01] documents inserted$`,
      ),
    );
    // What is in the target is what the message says.
    const inTarget = await withMongoClient(
      async (client) =>
        (await client.db(target).collection('fine').countDocuments()) +
        (await client.db(target).collection('bad').countDocuments()),
    );
    expect(se.message).toContain(`; ${inTarget} documents inserted`);
    expect((se as MongoRestoreError).complete).toEqual([`${target}.fine`]);
    expect((se as MongoRestoreError).incomplete).toEqual([`${target}.bad`]);
  });

  it('a truncated stream', async () => {
    const target = dbName('truncated');
    const whole = Buffer.concat([idDoc(1), idDoc(2)]);
    const archive = handmadeArchive('src', { c: [] });
    const w = archive.streams.data.get('src.c')!;
    w.chunks.push(whole.subarray(0, whole.length - 3));
    const error = await restoreFromMemory(archive, mongoUrlFor(target)).catch((err: unknown) => err);
    const se = expectOneLine(error, 'bson-stream');
    expect(se.message).toMatch(
      /^stream src\.c is not valid BSON at byte 21: stream ends inside a document \(18 of 21 bytes present\); no collection is complete; not complete: \S+\.c; \d+ documents inserted$/,
    );
  });

  it('a stream the schema names but the archive lacks', async () => {
    const archive = handmadeArchive('src', { c: [idDoc(1)] });
    archive.streams.data.delete('src.c');
    const error = await restoreFromMemory(archive, mongoUrlFor(dbName('nostream'))).catch(
      (err: unknown) => err,
    );
    const se = expectOneLine(error, 'missing-stream');
    expect(se.message).toBe('the archive has no stream "src.c" for collection src.c');
  });

  it('duplicate keys are counted and reported, and every other document is restored', async () => {
    const target = dbName('dups');
    const archive = handmadeArchive('src', {
      c: [idDoc(1), idDoc(2), idDoc(1, 9), idDoc(3), idDoc(2, 9)],
      ok: [idDoc(1)],
    });
    const error = await restoreFromMemory(archive, mongoUrlFor(target)).catch((err: unknown) => err);
    const se = expectOneLine(error, 'mongo-documents-rejected');
    expect(se).toBeInstanceOf(DocumentsRejectedError);
    expect(se.message).toBe(`restore finished, but the server rejected 2 document(s) in ${target}.c`);
    const rejected = (se as DocumentsRejectedError).rejected[`${target}.c`]!;
    expect(rejected).toMatchObject({ duplicateKeys: 2, validationFailures: 0, otherFailures: 0 });
    expect(rejected.samples[0]).toMatch(/E11000 duplicate key/);
    expect((se as DocumentsRejectedError).items).toEqual({ 'src.c': 3, 'src.ok': 1 });
    await withMongoClient(async (client) => {
      expect(await client.db(target).collection('c').countDocuments()).toBe(3);
    });
  });

  it('--stop-on-error halts at the first rejected document', async () => {
    const target = dbName('stop');
    const archive = handmadeArchive('src', { c: [idDoc(1), idDoc(1), idDoc(2)] });
    const error = await restoreFromMemory(archive, mongoUrlFor(target), { stopOnError: true }).catch(
      (err: unknown) => err,
    );
    const se = expectOneLine(error, 'mongo-insert-rejected');
    expect(se.message).toMatch(
      new RegExp(
        `^a document was rejected in ${target}\\.c: .*duplicate key.* \\(code 11000\\); no collection is complete; not complete: ${target}\\.c; \\d+ documents inserted$`,
      ),
    );
    await withMongoClient(async (client) => {
      // Ordered inserts stop at the failing document: the one after it is not inserted.
      expect(await client.db(target).collection('c').countDocuments()).toBe(1);
    });
  });

  it('validation failures are counted (where the server has validators)', async (ctx) => {
    const { skipUnlessMongoSupports } = await import('../support/mongo.js');
    skipUnlessMongoSupports(ctx, 'validators');
    const target = dbName('invalid');
    const archive = handmadeArchive('src', { c: [idDoc(1, 5), idDoc(2, -1)] });
    archive.result.schema.databases[0]!.collections[0]!.options = {
      validator: { v: { $gte: { $numberInt: '0' } } },
      validationLevel: 'strict',
      validationAction: 'error',
    };
    const error = await restoreFromMemory(archive, mongoUrlFor(target)).catch((err: unknown) => err);
    expect((error as DocumentsRejectedError).rejected[`${target}.c`]).toMatchObject({
      validationFailures: 1,
    });
    const ok = await restoreFromMemory(archive, mongoUrlFor(dbName('invalid_bypass')), {
      bypassDocumentValidation: true,
    });
    expect(ok.items).toEqual({ 'src.c': 2 });
  });

  it('only exact bytes go in: a restore never re-encodes documents', async () => {
    // Field order and an int32/double distinction a JS round trip would lose.
    const target = dbName('exact');
    const original = doc(
      e.int32('_id', 1),
      e.double('d', 1),
      e.int32('i', 1),
      e.int64('l', 1n),
      e.int32('a', 0),
    );
    await restoreFromMemory(handmadeArchive('src', { c: [original, caseDocument(0)] }), mongoUrlFor(target));
    const client = new MongoClient(mongoUrl());
    try {
      const [back] = await client
        .db(target)
        .collection('c')
        .find({ _id: 1 as unknown as Document['_id'] }, { raw: true })
        .toArray();
      expect(Buffer.from(back as unknown as Uint8Array).equals(original)).toBe(true);
    } finally {
      await client.close();
    }
  });
});
