import { connectUnlessAborted } from '../../abort-connecting.js';
import { UsageError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import type { DatabaseProbes, ProbeSession } from '../plugin.js';
import { connectUnlessRefused } from './refused-fast.js';
import { databaseFromUrl } from './url.js';

const TIMEOUT_MS = 10_000;

/** MongoDB's probes, on a client of their own with short timeouts. */
export const mongodbProbes: DatabaseProbes = {
  async connect(url, options = {}) {
    const named = databaseFromUrl(url);
    if (options.toDrop && !named) throw new UsageError(`no database named in ${redactUrl(url)}`);
    // The driver loads on demand: `stowage --help` should not carry it.
    const { MongoClient } = await import('mongodb');
    let client: InstanceType<typeof MongoClient>;
    try {
      client = new MongoClient(url, { serverSelectionTimeoutMS: TIMEOUT_MS, connectTimeoutMS: TIMEOUT_MS });
    } catch (err) {
      // A URL the driver cannot parse is the command line's mistake (exit 2, as for PostgreSQL), not an unreachable server.
      const { toStowageError } = await import('./mongo-errors.js');
      const bad = toStowageError(err, { url, during: 'connecting' });
      throw new UsageError(bad.message, bad.hint);
    }
    const giveUp = () => void client.close().catch(() => {});
    try {
      await connectUnlessAborted(
        () => connectUnlessRefused(url, client.connect(), giveUp),
        options.signal,
        giveUp,
      );
    } catch (err) {
      await client.close().catch(() => {});
      throw err;
    }
    const probe: ProbeSession = {
      async serverVersion() {
        const info = (await client.db('admin').command({ buildInfo: 1 })) as { version?: string };
        return info.version ?? '?';
      },
      async contents(databases) {
        const wanted = named ? [named] : databases;
        let objects = 0;
        const sample: string[] = [];
        let exists = false;
        // listCollections per database, not listDatabases: FerretDB measures every database on
        // the server to answer that (1–80 s with a few thousand collections), and a MongoDB
        // database with no collection is not listed anyway.
        for (const db of wanted) {
          const collections = await client.db(db).listCollections({}, { nameOnly: true }).toArray();
          if (collections.length > 0) exists = true;
          const user = collections.filter((c) => !c.name.startsWith('system.'));
          objects += user.length;
          for (const c of user.slice(0, 5 - sample.length)) sample.push(`${db}.${c.name}`);
        }
        return { exists, objects, sample };
      },
      async dropDatabase() {
        if (!named) throw new UsageError(`no database named in ${redactUrl(url)}`);
        await client.db(named).dropDatabase();
      },
      close: () => client.close(),
    };
    return probe;
  },
  // A MongoDB database springs into being when written: a missing one is never a connection error.
  isMissingDatabase: () => false,
};
