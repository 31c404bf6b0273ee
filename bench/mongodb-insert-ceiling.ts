/**
 * The insert ceiling of a MongoDB server for one dataset: the source
 * database's documents are read into memory first (not timed), cut into
 * insert batches, and then inserted as raw BSON as fast as the server takes
 * them, with the index builds before or after the data. No archive, no
 * decompression, no splitting: what is left is what the server itself costs,
 * so a restore cannot be faster than this with the same batches and the same
 * index builds. It also tries batch shapes without changing the product.
 *
 *   npx tsx bench/mongodb-insert-ceiling.ts --url mongodb://127.0.0.1:27017/ --db stowage_bench_200000 \
 *     [--server-pid PID] [--batch-bytes 1048576] [--batch-docs 100000] [--in-flight 2] \
 *     [--indexes after|before|none] [--ordered] [--runs 3]
 *
 * Prints one line per run: wall seconds, this process's CPU seconds while
 * inserting, and the server's (`/proc/PID/stat` of --server-pid, FerretDB's
 * own process for its SQLite backend). The target database is this run's own
 * and is dropped at the end.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type Document, type Long, MongoClient } from 'mongodb';
import { InsertBatch } from '../src/engines/mongodb/insert-batch.js';
import { RawInserter } from '../src/engines/mongodb/raw-insert.js';
import { scratchDatabaseName } from './lib/scratch-names.js';
import { serverCpuSeconds } from './mongodb-ferretdb.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'mongodb://127.0.0.1:27017/' },
    db: { type: 'string' },
    'server-pid': { type: 'string' },
    'batch-bytes': { type: 'string', default: String(1024 * 1024) },
    'batch-docs': { type: 'string', default: '100000' },
    'in-flight': { type: 'string', default: '2' },
    indexes: { type: 'string', default: 'after' },
    ordered: { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    /**
     * A file to keep the documents in between runs (FILE.json with the collections and their
     * indexes, FILE.bin with the documents): read from it when it exists, else written after the
     * read from the server. Reading a big collection back from FerretDB takes minutes.
     */
    cache: { type: 'string' },
  },
});
if (!args.db) throw new Error('give --db, the source database');
const source = args.db;
const target = scratchDatabaseName('mongobig_ceiling');
const list = (text: string) => text.split(',');
const serverPids = args['server-pid'] ? args['server-pid'].split(',').map(Number) : [];
const serverCpu = () => serverPids.reduce((n, pid) => n + serverCpuSeconds(pid), 0);

/** One way of sending the documents. */
interface Variant {
  batchBytes: number;
  batchDocs: number;
  inFlight: number;
  indexes: 'after' | 'before' | 'none';
}
// Every combination of the listed values; the runs go round them in turn.
const variants: Variant[] = list(args['batch-bytes']).flatMap((batchBytes) =>
  list(args['batch-docs']).flatMap((batchDocs) =>
    list(args['in-flight']).flatMap((inFlight) =>
      list(args.indexes).map((indexes) => {
        if (!['after', 'before', 'none'].includes(indexes))
          throw new Error('--indexes after, before or none');
        return {
          batchBytes: Number(batchBytes),
          batchDocs: Number(batchDocs),
          inFlight: Number(inFlight),
          indexes: indexes as Variant['indexes'],
        };
      }),
    ),
  ),
);

interface CollectionData {
  name: string;
  /** Secondary index specs as the source reports them, without `ns` and `v` (FerretDB refuses both). */
  indexes: Document[];
  /** The documents as raw BSON, in natural order. */
  documents: Uint8Array[];
}

/** Reads a collection's documents as raw BSON. */
async function readCollection(client: MongoClient, name: string): Promise<CollectionData> {
  const db = client.db(source);
  const raw = { promoteLongs: false, fieldsAsRaw: { firstBatch: true, nextBatch: true } } as const;
  const session = client.startSession();
  const documents: Uint8Array[] = [];
  try {
    let reply = await db.command({ find: name, filter: {}, hint: { $natural: 1 } }, { ...raw, session });
    for (;;) {
      // Copied out of the reply, so each reply's buffer can go.
      for (const doc of (reply.cursor.firstBatch ?? reply.cursor.nextBatch) as Uint8Array[])
        documents.push(Uint8Array.prototype.slice.call(doc));
      const id = reply.cursor.id as Long;
      if (id.isZero()) break;
      reply = await db.command({ getMore: id, collection: name }, { ...raw, session });
    }
  } finally {
    await session.endSession();
  }
  const specs = (await db.collection(name).listIndexes().toArray())
    .filter((spec) => spec.name !== '_id_')
    .map(({ ns: _ns, v: _v, ...spec }) => spec);
  return { name, indexes: specs, documents };
}

/** The source's collections: from the cache file when there is one, else from the server (then cached). */
async function readSource(client: MongoClient): Promise<CollectionData[]> {
  const cache = args.cache;
  if (cache && existsSync(`${cache}.json`)) {
    const bytes = readFileSync(`${cache}.bin`);
    let pos = 0;
    const parts = JSON.parse(readFileSync(`${cache}.json`, 'utf8')) as {
      name: string;
      indexes: Document[];
      bytes: number;
    }[];
    return parts.map(({ name, indexes, bytes: length }) => {
      const documents: Uint8Array[] = [];
      for (const end = pos + length; pos < end; pos += bytes.readInt32LE(pos))
        documents.push(bytes.subarray(pos, pos + bytes.readInt32LE(pos)));
      return { name, indexes, documents };
    });
  }
  const names = (await client.db(source).listCollections({}, { nameOnly: true }).toArray()).map(
    (c) => c.name,
  );
  const data: CollectionData[] = [];
  for (const name of names) data.push(await readCollection(client, name));
  if (cache) {
    writeFileSync(`${cache}.bin`, Buffer.concat(data.flatMap((c) => c.documents)));
    const parts = data.map((c) => ({
      name: c.name,
      indexes: c.indexes,
      bytes: c.documents.reduce((n, d) => n + d.length, 0),
    }));
    writeFileSync(`${cache}.json`, JSON.stringify(parts));
  }
  return data;
}

/** Cuts documents into batches as the restore does: at `bytes` or `count`, whichever comes first. */
function cut(documents: Uint8Array[], bytes: number, count: number): InsertBatch[] {
  const batches: InsertBatch[] = [];
  let batch = new InsertBatch(bytes);
  for (const doc of documents) {
    if (batch.count > 0 && (!batch.fits(doc.length) || batch.count >= count)) {
      batches.push(batch);
      batch = new InsertBatch(bytes);
    }
    if (!batch.fits(doc.length)) batch = new InsertBatch(doc.length);
    batch.append(doc);
  }
  if (batch.count > 0) batches.push(batch);
  return batches;
}

async function buildIndexes(client: MongoClient, c: CollectionData) {
  if (c.indexes.length > 0) await client.db(target).command({ createIndexes: c.name, indexes: c.indexes });
}

/** One timed load of every collection into the (empty) target. */
async function load(client: MongoClient, data: CollectionData[], variant: Variant) {
  const { indexes, inFlight } = variant;
  // Cut before the clock starts: the ceiling leaves out everything but the sending.
  const queue = data.flatMap((c) =>
    cut(c.documents, variant.batchBytes, variant.batchDocs).map((batch) => ({ c, batch })),
  );
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const server = serverCpu();
  for (const c of data) {
    if (indexes === 'before' && c.indexes.length > 0) await buildIndexes(client, c);
    else await client.db(target).command({ create: c.name });
  }
  // Batches of every collection from one queue, `inFlight` inserts at once: the
  // restore's two inserts in flight per database, without its reading between them.
  const inserters = new Map(
    data.map((c) => [c.name, new RawInserter(client, target, c.name, { ordered: args.ordered })]),
  );
  let next = 0;
  let inserted = 0;
  const worker = async () => {
    while (next < queue.length) {
      const { c, batch } = queue[next++]!;
      const result = await inserters.get(c.name)!.insert(batch);
      if (result.writeErrors.length > 0) throw new Error(`${c.name}: ${result.writeErrors[0]!.message}`);
      inserted += result.inserted;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  if (indexes === 'after') for (const c of data) await buildIndexes(client, c);
  const used = process.cpuUsage(cpu);
  return {
    seconds: (performance.now() - wall) / 1000,
    clientCpu: (used.user + used.system) / 1e6,
    serverCpu: serverCpu() - server,
    inserted,
    batches: queue.length,
  };
}

const maxInFlight = Math.max(...variants.map((v) => v.inFlight));
const client = new MongoClient(args.url, { maxPoolSize: maxInFlight + 2 });
await client.connect();
try {
  const data = await readSource(client);
  const documents = data.reduce((n, c) => n + c.documents.length, 0);
  console.error(`[ceiling] ${documents} documents read from ${source}; ${variants.length} variant(s)`);
  for (let run = 0; run < Number(args.runs); run++) {
    for (const variant of variants) {
      await client.db(target).dropDatabase();
      const r = await load(client, data, variant);
      if (r.inserted !== documents) throw new Error(`inserted ${r.inserted} of ${documents}`);
      // A ceiling that skipped an index build would be a ceiling of less work.
      const expected = variant.indexes === 'none' ? 0 : data.reduce((n, c) => n + c.indexes.length, 0);
      let built = 0;
      for (const c of data)
        built += (await client.db(target).collection(c.name).listIndexes().toArray()).length - 1;
      if (built !== expected) throw new Error(`${built} secondary indexes built, ${expected} expected`);
      console.log(
        JSON.stringify({
          ...variant,
          ordered: args.ordered,
          batches: r.batches,
          seconds: Number(r.seconds.toFixed(2)),
          clientCpu: Number(r.clientCpu.toFixed(2)),
          serverCpu: Number(r.serverCpu.toFixed(2)),
          load: Number(loadavg()[0]!.toFixed(2)),
        }),
      );
    }
  }
} finally {
  await client
    .db(target)
    .dropDatabase()
    .catch(() => {});
  await client.close();
}
