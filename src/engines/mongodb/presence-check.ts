import type { Document, MongoClient } from 'mongodb';
import { type CatalogCollection, uuidOf } from './introspect.js';
import { EXACT_BSON_OPTIONS } from './schema.js';

/**
 * Whether collections still exist as the collections that were read (same
 * UUID where the server has UUIDs), asked for many collections at once.
 *
 * A backup asks this after reading each collection, because not every server
 * fails a cursor whose collection is dropped: FerretDB ends it early as if
 * the data had run out. One `listCollections` per collection is a round trip
 * per collection, and on FerretDB each one costs about as much as listing the
 * whole database (~70 ms of server time with 2,000 collections, ~0.5 s for
 * all of them at once): with thousands of small collections the checks alone
 * took longer than reading the data. Here questions wait until `batchSize`
 * of them are pending (or {@link flush} is called, or one is asked with
 * `now`), and one `{name: {$in: [...]}}` query answers them all. Each answer
 * still comes from a query sent after that collection was read, so a drop
 * during the read is always caught; a drop shortly after it looks the same.
 * A backup therefore leaves out every collection gone by its check, with a
 * warning (what was read of it may be cut short, and nothing tells which),
 * and fails on one replaced by another of the same name.
 */
/**
 * What became of a collection that was read: still the same collection, gone
 * (no collection of that name), or replaced (dropped and created again: the
 * name now holds another UUID).
 */
export type PresenceState = 'same' | 'gone' | 'replaced';

export class CollectionPresence {
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly asking = new Set<string>();
  /** Databases whose pending questions are to be sent whatever their number. */
  private readonly urgent = new Set<string>();

  constructor(
    private readonly client: MongoClient,
    /** Questions pending (per database) before a query is sent without being asked to. */
    private readonly batchSize = 250,
    /** Names in one query at most: keeps the filter well under any command size limit. */
    private readonly maxNamesPerQuery = 1000,
  ) {}

  /**
   * Resolves true when `collection` still exists as the same collection, false
   * when it is gone or replaced. `now`: send the query at once (for a caller
   * that cannot go on without the answer).
   */
  async unchanged(collection: CatalogCollection, options: { now?: boolean } = {}): Promise<boolean> {
    return (await this.state(collection, options)) === 'same';
  }

  /** What became of `collection` (see {@link PresenceState}); `now` as for {@link unchanged}. */
  state(collection: CatalogCollection, { now = false }: { now?: boolean } = {}): Promise<PresenceState> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(collection.db) ?? [];
      list.push({ collection, resolve, reject });
      this.waiting.set(collection.db, list);
      if (now) this.urgent.add(collection.db);
      if (now || list.length >= this.batchSize) this.send(collection.db);
    });
  }

  /** Sends the queries for every question pending. */
  flush(): void {
    for (const db of this.waiting.keys()) {
      this.urgent.add(db);
      this.send(db);
    }
  }

  private send(db: string): void {
    if (!this.asking.has(db)) void this.ask(db);
  }

  /**
   * Queries while enough questions are pending for `db` (or any, once urgent):
   * questions that came in meanwhile go in the next query.
   */
  private async ask(db: string): Promise<void> {
    this.asking.add(db);
    try {
      for (;;) {
        const pending = this.waiting.get(db) ?? [];
        if (pending.length === 0) {
          this.urgent.delete(db);
          break;
        }
        if (pending.length < this.batchSize && !this.urgent.has(db)) break;
        const batch = pending.splice(0, this.maxNamesPerQuery);
        try {
          const names = [...new Set(batch.map((w) => w.collection.readFrom))];
          const infos = await this.client
            .db(db)
            .listCollections({ name: { $in: names } }, { ...EXACT_BSON_OPTIONS, authorizedCollections: true })
            .toArray();
          const byName = new Map(infos.map((info) => [String(info.name), info as Document]));
          for (const { collection, resolve } of batch) {
            const info = byName.get(collection.readFrom);
            resolve(
              !info ? 'gone' : !collection.uuid || uuidOf(info) === collection.uuid ? 'same' : 'replaced',
            );
          }
        } catch (error) {
          for (const { reject } of batch) reject(error);
        }
      }
    } finally {
      this.asking.delete(db);
    }
  }
}

interface Waiter {
  collection: CatalogCollection;
  resolve(state: PresenceState): void;
  reject(error: unknown): void;
}
