import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BSON, MongoClient, type Timestamp } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listChains } from '../../src/catalog/chains.js';
import { compareOplogPositions, formatOplogPosition } from '../../src/engines/mongodb/oplog-position.js';
import { Daemon } from '../../src/ops/daemon.js';
import { parseDaemonConfig } from '../../src/ops/daemon-config.js';
import { type FollowEvent, follow } from '../../src/ops/follow.js';
import { restoreUntil } from '../../src/ops/restore-until.js';
import { openRepository } from '../../src/store/open-repository.js';
import { FollowProcess } from '../support/follow-process.js';
import { storedPositions } from '../support/stored-changes.js';
import { until } from '../support/until.js';
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

  it('kill -9 of follow, then a restart: no gap, no duplicate, the final restore equals the source', {
    timeout: 300_000,
  }, async () => {
    const db = 'orders';
    const repo = newRepo();
    const url = `${server.url}${db}`;
    const orders = client.db(db).collection<{ _id: number; n: number; state?: string }>('orders');
    await orders.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, n: 0 })));
    let writing = true;
    let next = 20;
    const workload = (async () => {
      while (writing) {
        const id = next++;
        await orders.insertOne({ _id: id, n: 0 });
        await orders.updateOne({ _id: id % 20 }, { $inc: { n: 1 } });
        if (id % 7 === 0) await orders.deleteOne({ _id: id - 3 });
        if (id % 5 === 0) await orders.updateOne({ _id: id - 1 }, { $set: { state: 'paid' } });
        await sleep(20);
      }
    })();

    for (let kill = 0; kill < 2; kill++) {
      const run = new FollowProcess(url, repo);
      await until(
        () => run.segments() >= 1,
        `a segment after start ${kill + 1}; stderr: ${run.log()}`,
        60_000,
      );
      // Somewhere in the next segment's second: while reading, or while publishing.
      await sleep(Math.floor(Math.random() * 1500));
      run.kill('SIGKILL');
      await run.exited;
    }
    const last = new FollowProcess(url, repo);
    await until(
      () => last.segments() >= 2,
      () => `segments after the restarts: ${last.describe()}`,
      60_000,
    );
    writing = false;
    await workload;
    const finalHead = await oplogHead(client);
    last.kill('SIGTERM');
    expect(await last.exited, last.log()).toBe(0);
    expect(last.events.filter((e) => e.type === 'chain-resumed')).toHaveLength(1);
    expect(last.events.filter((e) => e.type === 'chain-started')).toHaveLength(0);

    const repository = await openRepository(repo);
    const chains = await listChains(repository);
    await repository.close();
    expect(chains).toHaveLength(1);
    const chain = chains[0]!;
    expect(chain.gap).toBeUndefined();
    expect(chain.window?.toPosition).toBe(finalHead);
    expect(chain.window?.usableSegments).toBe(chain.segments.length);
    // No duplicate, no disorder: every stored position is after the one before it.
    const positions = await storedPositions(
      repo,
      chain.id,
      chain.segments.map((s) => s.name),
    );
    for (let i = 1; i < positions.length; i++) {
      expect(
        compareOplogPositions(positions[i - 1]!, positions[i]!),
        `${positions[i - 1]} then ${positions[i]}`,
      ).toBeLessThan(0);
    }
    expect(positions.at(-1)).toBe(finalHead);

    await restoreUntil({
      repository: repo,
      target: `${server.url}orders_restored`,
      until: 'latest',
      safetyBackup: false,
    });
    expect(await snapshot(client, 'orders_restored')).toEqual(await snapshot(client, db));
  });

  it('a daemon job with continuous: true follows, stops cleanly, and resumes its chain after a restart', {
    timeout: 120_000,
  }, async () => {
    const db = 'crm';
    const repo = newRepo();
    const people = client.db(db).collection<{ _id: number; v: number }>('people');
    await people.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i, v: 0 })));
    const config = parseDaemonConfig(
      JSON.stringify({
        jobs: [
          {
            name: 'crm',
            source: `${server.url}${db}`,
            repository: repo,
            continuous: true,
            segmentSeconds: 1,
          },
        ],
      }),
      'stowage.json',
    );
    const stored = async () => {
      const repository = await openRepository(repo);
      try {
        return await listChains(repository);
      } finally {
        await repository.close();
      }
    };
    const log: string[] = [];
    for (let run = 0; run < 2; run++) {
      const daemon = await Daemon.start(config, { log: (line) => log.push(line), metricsListen: false });
      try {
        await people.updateMany({}, { $inc: { v: 1 } });
        await people.insertOne({ _id: 100 + run, v: run });
        const head = await oplogHead(client);
        await until(
          async () => (await stored()).at(-1)?.window?.toPosition === head,
          `changes of run ${run} stored`,
          90_000,
        ).catch((err: Error) => {
          throw new Error(`${err.message}; daemon log:\n${log.join('\n')}`);
        });
      } finally {
        await daemon.stop();
      }
    }
    expect(log.filter((l) => /new chain/.test(l))).toHaveLength(1);
    expect(log.filter((l) => /continuing chain/.test(l))).toHaveLength(1);
    const chains = await stored();
    expect(chains).toHaveLength(1);
    expect(chains[0]!.gap).toBeUndefined();
    await restoreUntil({
      repository: repo,
      target: `${server.url}crm_restored`,
      until: 'latest',
      safetyBackup: false,
    });
    expect(await snapshot(client, 'crm_restored')).toEqual(await snapshot(client, db));
  });
});
