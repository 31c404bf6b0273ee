// One archive handle and one key cache per operation (issue 16): with a
// passphrase, every key derivation is a 128 MiB scrypt run, so the steps of a
// verify --restore-test (manifest, frame scan, restore, comparison) and of a
// restore (confirm, safety backup, restore) must not derive a key twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveKeys } from '../../src/archive/archive-keys.js';
import { backup } from '../../src/ops/backup.js';
import { parseDaemonConfig, resolveJobs } from '../../src/ops/daemon-config.js';
import { restore } from '../../src/ops/restore.js';
import { runJob } from '../../src/ops/run-job.js';
import { verify } from '../../src/ops/verify.js';
import { countingKeys } from '../support/counting-keys.js';
import { createPgDatabase, pgUrlFor, type TestPgDatabase, withPgClient } from '../support/pg.js';

const passphrase = { passphrase: 'one scrypt run is enough' };

let dir: string;
let shop: TestPgDatabase;
let archive: string;
const dropLater: TestPgDatabase[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-handle-'));
  shop = await createPgDatabase('stowage_handle_shop');
  await withPgClient(shop.url, (c) =>
    c.query(`CREATE TABLE customers (id int PRIMARY KEY, name text);
             INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 200) g;
             CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric);
             INSERT INTO orders SELECT g, 1 + g % 200, g * 1.5 FROM generate_series(1, 1000) g;`),
  );
  ({ archive } = await backup({ source: shop.url, to: join(dir, 'repo'), encryption: passphrase }));
});
afterAll(async () => {
  for (const db of [shop, ...dropLater]) await db?.drop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('one archive handle', () => {
  it('verify --restore-test with a passphrase derives the key once', async () => {
    const { keys, salts } = countingKeys(passphrase);
    const scratch = pgUrlFor(`${shop.name}_verify`);
    const result = await verify({ archive, encryption: keys, restoreTest: scratch, record: false });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.restoreTest?.units.map((u) => [u.unit, u.databaseItems, u.match])).toEqual(
      expect.arrayContaining([
        ['public.customers', 200, true],
        ['public.orders', 1000, true],
      ]),
    );
    expect(salts).toHaveLength(1);
    expect(keys.derivations).toBe(1);
  });

  it("a backup and the verify after it (a daemon job's run) share the backup's key", async () => {
    const { keys, salts } = countingKeys(passphrase);
    const made = await backup({
      source: shop.url,
      to: join(dir, 'job'),
      encryption: keys,
      kind: 'scheduled',
    });
    const result = await verify({ archive: made.archive, encryption: keys, record: false });
    expect(result.ok).toBe(true);
    expect(salts).toHaveLength(1);
  });

  it("a daemon job's runs reuse the passphrase's keys: each run derives only its new archive's key", async () => {
    const env = 'STOWAGE_TEST_HANDLE_PASSPHRASE';
    process.env[env] = passphrase.passphrase;
    try {
      const [job] = resolveJobs(
        parseDaemonConfig(
          `jobs:\n  - name: shop\n    source: ${shop.url}\n    repository: ${join(dir, 'daemon')}\n    schedule: "0 2 * * *"\n    encryption: { passphraseEnv: ${env} }\n    verify: true\n    retention: { keepLast: 5 }\n`,
          'test.yaml',
          {},
        ),
      );
      const { keys, salts } = countingKeys(passphrase);
      const carried = { last: keys };
      for (let run = 1; run <= 3; run++) {
        const outcome = await runJob(job!, { log: () => {}, keys: carried });
        expect(outcome.status, outcome.error).toBe('success');
        expect(outcome.verify?.ok).toBe(true);
        // Backup, verify and retention over every archive so far: one derivation per run, for the new archive.
        expect(outcome.prune?.kept).toHaveLength(run);
        expect(salts).toHaveLength(run);
      }
      expect(carried.last).toBe(keys);
      // A changed passphrase starts a new cache rather than serving keys derived from the old one.
      process.env[env] = 'another passphrase';
      const changed = await runJob(job!, { log: () => {}, keys: carried });
      expect(changed.status).toBe('success');
      expect(carried.last).not.toBe(keys);
      expect(carried.last).toBeInstanceOf(ArchiveKeys);
      // Its own backup, then the three older archives tried with the new passphrase: nothing from the old cache.
      expect(carried.last?.derivations).toBe(4);
    } finally {
      delete process.env[env];
    }
  });

  it('restore over data: one key for the archive, one for the safety backup (a new archive, a new salt)', async () => {
    const target = await createPgDatabase('stowage_handle_target');
    dropLater.push(target);
    await withPgClient(target.url, (c) =>
      c.query(
        `CREATE TABLE customers (id int PRIMARY KEY, name text); INSERT INTO customers VALUES (1, 'old')`,
      ),
    );
    const { keys, salts } = countingKeys(passphrase);
    let confirmed = 0;
    const summary = await restore({
      archive,
      target: target.url,
      encryption: keys,
      engineOptions: { clean: true },
      confirm: async (plan) => {
        confirmed++;
        expect(plan.replaced).toEqual(['public.customers']);
      },
    });
    expect(confirmed).toBe(1);
    expect(summary.safetyBackup).toBeDefined();
    expect(salts).toHaveLength(2);
    expect(new Set(salts).size).toBe(2);
    // Checking the safety backup afterwards, in the same operation, needs no further derivation.
    const checked = await verify({ archive: summary.safetyBackup!.archive, encryption: keys, record: false });
    expect(checked.ok).toBe(true);
    expect(salts).toHaveLength(2);
  });
});
