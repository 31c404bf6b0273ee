import { pathToFileURL } from 'node:url';
import { MongoClient } from 'mongodb';

/**
 * The index builds mongorestore runs once all its data is in (its
 * RestoreIndexes): one createIndexes per collection, `jobs` collections at
 * once, specs read from the source's catalog without `ns` and `v`. For a
 * like-for-like restore comparison on FerretDB, which refuses mongorestore's
 * own specs: `mongorestore --noIndexRestore` followed by these.
 *
 *   node mongodb-index-builds.js <url> <source db> <target db> <jobs>
 */
export async function buildIndexesLikeMongorestore(
  url: string,
  source: string,
  target: string,
  jobs: number,
): Promise<{ indexes: number }> {
  const client = new MongoClient(url, { maxPoolSize: jobs + 2 });
  await client.connect();
  try {
    const names = (await client.db(source).listCollections({}, { nameOnly: true }).toArray()).map(
      (c) => c.name,
    );
    let built = 0;
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++]!;
        const specs = (await client.db(source).collection(name).listIndexes().toArray())
          .filter((spec) => spec.name !== '_id_')
          .map(({ ns: _ns, v: _v, ...spec }) => spec);
        if (specs.length === 0) continue;
        await client.db(target).command({ createIndexes: name, indexes: specs });
        built += specs.length;
      }
    };
    await Promise.all(Array.from({ length: jobs }, worker));
    return { indexes: built };
  } finally {
    await client.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [url, source, target, jobs] = process.argv.slice(2);
  const { indexes } = await buildIndexesLikeMongorestore(url!, source!, target!, Number(jobs ?? 4));
  console.log(`${indexes} indexes built`);
}
