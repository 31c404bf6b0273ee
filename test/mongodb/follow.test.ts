import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BSON, MongoClient, type Timestamp } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChains } from '../../src/catalog/chains.js';
import { formatOplogPosition } from '../../src/engines/mongodb/oplog-position.js';
import { type FollowEvent, follow } from '../../src/ops/follow.js';
import { restoreUntil } from '../../src/ops/restore-until.js';
import { openRepository } from '../../src/store/open-repository.js';
import { ferretdbBinary, PrivateFerretDB } from './support/private-ferretdb.js';

// Continuous backup of MongoDB against a private FerretDB that keeps an oplog
// (the shared one has none): a workload writes while `follow` runs, the test
// records the source at known moments, and restoring to each moment must give
// exactly what was recorded.

const bin = ferretdbBinary();

async function snapshot(client: MongoClient, db: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const names = (await client.db(db).listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => !n.startsWith('system.'))
    .sort();
  for (const name of names) {
    const docs = await client.db(db).collection(name).find({}).sort({ _id: 1 }).toArray();
    out[name] = docs.map((d) => BSON.EJSON.stringify(d, { relaxed: false }));
  }
  return out;
}

async function oplogHead(client: MongoClient): Promise<string> {
  const last = await client
    .db('local')
    .collection('oplog.rs')
    .find({})
    .sort({ $natural: -1 })
    .limit(1)
    .next();
  return formatOplogPosition(last!.ts as Timestamp);
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.skipIf(!bin)('follow and restore --until on MongoDB (private FerretDB with an oplog)', () => {
  let server: PrivateFerretDB;
  let client: MongoClient;
  const dirs: string[] = [];
  const newRepo = () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-follow-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    server = await PrivateFerretDB.start({ oplog: true });
    client = new MongoClient(server.url);
    await client.connect();
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('restores each recorded moment exactly, by time and by oplog timestamp', {
    timeout: 120_000,
  }, async () => {
    const db = 'shop';
    const repo = newRepo();
    const items = client
      .db(db)
      .collection<{ _id: number; qty?: number; round?: number; tag?: string }>('items');
    await items.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, qty: i, tag: 'seed' })));

    const events: FollowEvent[] = [];
    const stop = new AbortController();
    const running = follow({
      source: `${server.url}${db}`,
      to: repo,
      segmentSeconds: 1,
      readWaitMs: 200,
      signal: stop.signal,
      onEvent: (e) => events.push(e),
    });
    await until(() => events.some((e) => e.type === 'chain-started'), 'the base');

    const moments: { at: Date; ts: string; state: Record<string, string[]> }[] = [];
    const record = async () => {
      moments.push({ at: new Date(), ts: await oplogHead(client), state: await snapshot(client, db) });
      // Later writes get later commit times (ms resolution) than the recorded moment.
      await sleep(20);
    };
    await record();
    for (let round = 0; round < 4; round++) {
      await items.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: 1000 * (round + 1) + i, round })));
      await items.updateMany({ _id: { $lt: 10 + round * 5 } }, { $inc: { qty: 100 }, $set: { round } });
      await items.deleteMany({ _id: { $gte: 40 - round * 3, $lt: 50 } });
      await items.updateOne({ _id: 1000 * (round + 1) }, { $unset: { round: '' } });
      if (round === 2)
        await client
          .db(db)
          .collection<{ _id: string; round: number }>('logs')
          .insertOne({ _id: 'created mid-stream', round });
      await record();
    }
    const finalHead = await oplogHead(client);
    // Stop: the open segment is published before follow returns.
    stop.abort();
    const summary = await running;
    expect(summary.position).toBe(finalHead);
    expect(summary.segments).toBeGreaterThan(0);

    const repository = await openRepository(repo);
    const chains = await listChains(repository);
    await repository.close();
    expect(chains).toHaveLength(1);
    expect(chains[0]!.gap).toBeUndefined();
    expect(chains[0]!.window?.toPosition).toBe(finalHead);

    for (const [i, moment] of moments.entries()) {
      const byTime = `shop_t${i}`;
      const r = await restoreUntil({
        repository: repo,
        target: `${server.url}${byTime}`,
        until: moment.at,
        safetyBackup: false,
      });
      expect(await snapshot(client, byTime), `moment ${i} by time`).toEqual(moment.state);
      expect(r.chain).toBe(chains[0]!.id);
      const byTs = `shop_p${i}`;
      await restoreUntil({
        repository: repo,
        target: `${server.url}${byTs}`,
        until: { position: moment.ts },
        safetyBackup: false,
      });
      expect(await snapshot(client, byTs), `moment ${i} by oplog timestamp`).toEqual(moment.state);
    }
    await restoreUntil({
      repository: repo,
      target: `${server.url}shop_latest`,
      until: 'latest',
      safetyBackup: false,
    });
    expect(await snapshot(client, 'shop_latest')).toEqual(await snapshot(client, db));

    // Before the base was finished there is nothing to restore to: a clear refusal, nothing written.
    await expect(
      restoreUntil({
        repository: repo,
        target: `${server.url}shop_early`,
        until: new Date(Date.now() - 3_600_000),
        safetyBackup: false,
      }),
    ).rejects.toThrow(/no continuous backup covers .*the repository can restore to/);
  });
});
