import { Binary, type Document, MongoClient, ObjectId } from 'mongodb';

/**
 * The MongoDB bench dataset: documents of mixed shape (nested objects,
 * arrays, strings, numbers, dates, binary), about 0.5 KB on average with a
 * few of about 100 KB, over several collections with secondary indexes.
 * Deterministic: the same seed and size give the same documents, so runs on
 * different days compare.
 */

export interface DatasetOptions {
  url: string;
  db: string;
  /** Total documents over all collections. Default 1,000,000. */
  documents?: number;
  seed?: number;
  /** Documents per insertMany. */
  batch?: number;
  onProgress?: (inserted: number, total: number) => void;
}

/** A small fast seeded PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is was for on that with as by at from this be are or an have it not which were their all one has ' +
  'order customer product shipped delivered payment refund invoice account address street city country warehouse ' +
  'blue green large small fast slow premium basic monthly yearly active pending cancelled error warning info debug ' +
  'stowage backup restore archive mongo database server cluster replica shard index query cursor batch stream'
).split(' ');

/** Collections of the dataset and their share of the documents. */
export const DATASET_COLLECTIONS = [
  { name: 'users', share: 0.2 },
  { name: 'orders', share: 0.4 },
  { name: 'events', share: 0.399 },
  { name: 'attachments', share: 0.001 },
] as const;

export function datasetDocument(collection: string, i: number, rand: () => number): Document {
  const int = (n: number) => Math.floor(rand() * n);
  const words = (n: number) => Array.from({ length: n }, () => WORDS[int(WORDS.length)]).join(' ');
  const date = (base: number) => new Date(base + int(365 * 24 * 3600 * 1000));
  switch (collection) {
    case 'users':
      return {
        _id: i,
        email: `user${i}@example.${['com', 'org', 'net'][i % 3]}`,
        name: { first: words(1), last: words(1) },
        createdAt: date(1_600_000_000_000),
        active: rand() < 0.8,
        score: rand() * 1000,
        tags: Array.from({ length: int(6) }, () => words(1)),
        address: {
          street: `${int(999)} ${words(2)}`,
          city: words(1),
          zip: String(10000 + int(89999)),
          geo: [rand() * 180 - 90, rand() * 360 - 180],
        },
        bio: words(10 + int(30)),
      };
    case 'orders':
      return {
        _id: new ObjectId(Buffer.from(i.toString(16).padStart(24, '0'), 'hex')),
        userId: int(1_000_000),
        createdAt: date(1_650_000_000_000),
        status: ['pending', 'shipped', 'delivered', 'cancelled'][int(4)],
        total: Math.round(rand() * 100000) / 100,
        items: Array.from({ length: 1 + int(5) }, () => ({
          sku: `SKU-${int(100000)}`,
          qty: 1 + int(4),
          price: Math.round(rand() * 10000) / 100,
          note: words(int(6)),
        })),
        shipping: {
          method: ['ground', 'air', 'pickup'][int(3)],
          address: { city: words(1), country: words(1) },
        },
      };
    case 'events':
      return {
        _id: new ObjectId(Buffer.from(`e${i.toString(16).padStart(23, '0')}`, 'hex')),
        ts: date(1_700_000_000_000),
        type: ['click', 'view', 'purchase', 'error'][int(4)],
        session: new Binary(Buffer.from(Array.from({ length: 16 }, () => int(256))), 4),
        user: int(1_000_000),
        payload: { path: `/${words(1)}/${words(1)}`, ms: int(5000), ok: rand() < 0.95 },
        msg: words(5 + int(20)),
      };
    default:
      // About 100 KB: a binary blob half random (incompressible), half text.
      return {
        _id: i,
        filename: `${words(1)}-${i}.bin`,
        uploadedAt: date(1_680_000_000_000),
        content: new Binary(Buffer.from(Array.from({ length: 50_000 }, () => int(256)))),
        text: words(8000),
      };
  }
}

/** Drops and regenerates the dataset database. Returns documents per collection. */
export async function generateMongoDataset(options: DatasetOptions): Promise<Record<string, number>> {
  const total = options.documents ?? 1_000_000;
  const batch = options.batch ?? 2000;
  const client = new MongoClient(options.url);
  await client.connect();
  try {
    const db = client.db(options.db);
    await db.dropDatabase();
    const counts: Record<string, number> = {};
    let inserted = 0;
    for (const { name, share } of DATASET_COLLECTIONS) {
      const n = Math.max(1, Math.round(total * share));
      counts[name] = n;
      const rand = prng((options.seed ?? 42) + name.length * 7919);
      const coll = db.collection(name);
      for (let start = 0; start < n; start += batch) {
        const docs: Document[] = [];
        for (let i = start; i < Math.min(n, start + batch); i++) docs.push(datasetDocument(name, i, rand));
        await coll.insertMany(docs, { ordered: false });
        inserted += docs.length;
        options.onProgress?.(inserted, total);
      }
    }
    await db.collection('users').createIndex({ email: 1 }, { unique: true });
    await db.collection('users').createIndex({ 'address.city': 1, createdAt: -1 });
    await db.collection('orders').createIndex({ userId: 1, createdAt: -1 });
    await db.collection('orders').createIndex({ status: 1 });
    await db.collection('events').createIndex({ ts: 1 });
    await db.collection('events').createIndex({ type: 1, user: 1 });
    await db.collection('attachments').createIndex({ filename: 1 });
    return counts;
  } finally {
    await client.close();
  }
}
