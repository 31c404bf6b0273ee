import { type Document, MongoClient } from 'mongodb';

/**
 * The "many small collections" MongoDB bench dataset (issue 14): `collections`
 * collections of `documentsEach` small documents, each with two secondary
 * indexes (one unique), in one database. Deterministic, so runs compare.
 */
export interface ManyCollectionsOptions {
  url: string;
  db: string;
  collections: number;
  documentsEach: number;
  onProgress?: (done: number, total: number) => void;
}

export const manyCollectionName = (i: number) => `c${String(i).padStart(5, '0')}`;

function smallDocument(collection: number, i: number): Document {
  return {
    _id: i,
    email: `user${i}@c${collection}.example.com`,
    createdAt: new Date(1_700_000_000_000 + ((collection * 7919 + i * 104_729) % 31_536_000) * 1000),
    active: (collection + i) % 5 !== 0,
    score: ((collection * 31 + i * 17) % 1000) / 10,
    tags: ['alpha', 'beta', 'gamma'].slice(0, 1 + ((collection + i) % 3)),
  };
}

/** Drops and regenerates the database. */
export async function generateManyCollections(options: ManyCollectionsOptions): Promise<void> {
  const client = new MongoClient(options.url, { maxPoolSize: 4 });
  await client.connect();
  try {
    const db = client.db(options.db);
    await db.dropDatabase();
    for (let c = 0; c < options.collections; c++) {
      const name = manyCollectionName(c);
      await db.createCollection(name);
      if (options.documentsEach > 0) {
        const docs = Array.from({ length: options.documentsEach }, (_, i) => smallDocument(c, i));
        await db.collection(name).insertMany(docs, { ordered: false });
      }
      await db.command({
        createIndexes: name,
        indexes: [
          { key: { email: 1 }, name: 'email_1', unique: true },
          { key: { createdAt: -1, active: 1 }, name: 'createdAt_-1_active_1' },
        ],
      });
      if ((c + 1) % 100 === 0) options.onProgress?.(c + 1, options.collections);
    }
  } finally {
    await client.close();
  }
}

/** Whether the database already holds exactly this dataset's collections (counted by name). */
export async function manyCollectionsReady(options: ManyCollectionsOptions): Promise<boolean> {
  const client = new MongoClient(options.url);
  await client.connect();
  try {
    const names = await client.db(options.db).listCollections({}, { nameOnly: true }).toArray();
    if (names.length !== options.collections) return false;
    const last = manyCollectionName(options.collections - 1);
    return (await client.db(options.db).collection(last).countDocuments()) === options.documentsEach;
  } finally {
    await client.close();
  }
}
