/**
 * One bench operation in a process of its own, so its peak RSS and wall time
 * can be measured from outside (`/usr/bin/time`). Prints one JSON line.
 *
 *   mongodb-child backup  <url> <file.stow> <jobs> [compression]
 *   mongodb-child restore <file.stow> <url> <jobs> [noindexes]
 *   mongodb-child raw     <url> <db> <jobs>      (the raw ceiling: a driver cursor with raw: true drains every collection)
 *   mongodb-child rawcmd  <url> <db> <jobs>      (find/getMore commands with raw batches, as the engine reads)
 *   mongodb-child indexes <url> <source db> <target db> <jobs>
 *       (builds the source's secondary indexes on the target as mongorestore does after its data:
 *        one createIndexes per collection, `jobs` collections at once, specs without `ns` and `v`)
 *
 * STOWAGE_BENCH_RESTORE_OPTIONS (JSON) adds engine options to `restore` (variants to compare).
 */
import { type Document, MongoClient } from 'mongodb';
import { backup, restore } from '../src/index.js';
import { buildIndexesLikeMongorestore } from './mongodb-index-builds.js';

const [op, a, b, jobsText, extra] = process.argv.slice(2);
const jobs = Number((op === 'indexes' ? extra : jobsText) ?? 2);
const started = performance.now();

async function raw(url: string, db: string, commands: boolean): Promise<{ items: number; bytes: number }> {
  const client = new MongoClient(url, { maxPoolSize: jobs + 2 });
  await client.connect();
  try {
    const names = (await client.db(db).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    let items = 0;
    let bytes = 0;
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++]!;
        if (commands) {
          const options = {
            promoteLongs: false,
            fieldsAsRaw: { firstBatch: true, nextBatch: true },
            session: client.startSession(),
          };
          let reply = await client.db(db).command({ find: name, filter: {} }, options);
          for (;;) {
            const batch = (reply.cursor.firstBatch ?? reply.cursor.nextBatch) as Uint8Array[];
            for (const d of batch) {
              items++;
              bytes += d.byteLength;
            }
            if (reply.cursor.id.isZero()) break;
            reply = await client.db(db).command({ getMore: reply.cursor.id, collection: name }, options);
          }
          await options.session.endSession();
          continue;
        }
        // The driver's defaults: no batch size, the server picks (up to 16 MiB per batch).
        const cursor = client.db(db).collection(name).find({}, { raw: true });
        while (await cursor.hasNext()) {
          for (const d of cursor.readBufferedDocuments() as unknown as Uint8Array[]) {
            items++;
            bytes += d.byteLength;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: jobs }, worker));
    return { items, bytes };
  } finally {
    await client.close();
  }
}

let result: Document;
if (op === 'backup') {
  const s = await backup({
    source: a!,
    to: b!,
    jobs,
    preflight: false,
    ...(extra ? { compression: extra === 'none' ? 'none' : Number(extra) } : {}),
  } as Parameters<typeof backup>[0]);
  result = { items: s.items, rawBytes: s.rawBytes, archiveBytes: s.bytes };
} else if (op === 'restore') {
  const s = await restore({
    archive: a!,
    target: b!,
    jobs,
    safetyBackup: false,
    engineOptions: {
      drop: true,
      ...(extra === 'noindexes' ? { noIndexes: true } : {}),
      ...JSON.parse(process.env.STOWAGE_BENCH_RESTORE_OPTIONS ?? '{}'),
    },
  });
  result = { items: Object.values(s.items).reduce((n, v) => n + v, 0) };
} else if (op === 'indexes') {
  result = await buildIndexesLikeMongorestore(a!, b!, jobsText!, jobs);
} else if (op === 'raw' || op === 'rawcmd') {
  result = await raw(a!, b!, op === 'rawcmd');
} else {
  throw new Error(`unknown op ${op}`);
}
result.seconds = (performance.now() - started) / 1000;
result.maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(result));
