import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeySource } from '../../src/archive/keys.js';
import { inspect } from '../../src/ops/inspect.js';
import { verify } from '../../src/ops/verify.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { createTestBucket, s3Options } from '../support/s3.js';
import { runCliProcess } from './cli-process.js';

// Torture: five `stowage backup` processes of one database into one
// repository at once, three rounds, into a local folder and into S3. Every run
// that exits 0 must report a name no other run reported, and that archive must
// verify and be that run's own (its note, and its key when it encrypts: half
// the runs encrypt, so a plain run reporting an encrypted archive's name, or
// the reverse, fails). Generated names carry the time to the second, so the
// runs of a round collide on one name unless they claim names exclusively.

const RUNS = 5;
const ROUNDS = 3;

let dir: string;
let source: TestPgDatabase;
let passphraseFile: string;
const passphrase = 'torture passphrase';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-torture-concurrent-'));
  passphraseFile = join(dir, 'passphrase');
  await writeFile(passphraseFile, passphrase, { mode: 0o600 });
  source = await createPgDatabase('torture_concurrent');
  await withPgClient(source.url, (c) =>
    c.query(`CREATE TABLE events (id int PRIMARY KEY, body text);
      INSERT INTO events SELECT g, repeat('x', 50) FROM generate_series(1, 2000) g;`),
  );
});
afterAll(async () => {
  await source?.drop().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

async function tortureRounds(repository: string, env: NodeJS.ProcessEnv, s3: boolean) {
  const reported = new Set<string>();
  let passes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const runs = Array.from({ length: RUNS }, (_, i) => ({
      note: `round ${round} run ${i}`,
      encrypted: i % 2 === 1,
    }));
    const results = await Promise.all(
      runs.map((run) =>
        runCliProcess(
          [
            'backup',
            source.url,
            '--to',
            repository,
            '--note',
            run.note,
            '--json',
            ...(run.encrypted ? ['--passphrase-file', passphraseFile] : []),
          ],
          env,
        ),
      ),
    );
    for (const [i, result] of results.entries()) {
      const run = runs[i]!;
      // Same-second backups take -2, -3…: none of them has a reason to fail.
      expect(result.code, `${run.note}: ${result.stderr}`).toBe(0);
      const { archive } = JSON.parse(result.stdout) as { archive: string };
      expect(reported.has(archive), `${run.note} reported ${archive}, which another run reported`).toBe(
        false,
      );
      reported.add(archive);
      const encryption: KeySource | undefined = run.encrypted ? { passphrase } : undefined;
      const options = {
        ...(encryption ? { encryption } : {}),
        ...(s3 ? { stores: { s3: s3Options() } } : {}),
      };
      const { manifest } = await inspect(archive, options);
      expect(manifest.note, archive).toBe(run.note);
      const checked = await verify({ archive, ...options });
      expect(checked.problems, archive).toEqual([]);
      expect(checked.ok).toBe(true);
      passes++;
    }
  }
  return passes;
}

describe('concurrent CLI backups into one repository', () => {
  it(`local folder: ${ROUNDS} rounds of ${RUNS} backups, each reports its own archive`, async () => {
    const passes = await tortureRounds(join(dir, 'local'), {}, false);
    expect(passes).toBe(RUNS * ROUNDS);
  }, 300_000);

  it(`S3: ${ROUNDS} rounds of ${RUNS} backups, each reports its own archive`, async () => {
    const bucket = await createTestBucket('stowage-torture');
    const s3 = s3Options();
    const passes = await tortureRounds(
      `s3://${bucket}/prefix`,
      {
        STOWAGE_S3_ENDPOINT: s3.endpoint,
        STOWAGE_S3_FORCE_PATH_STYLE: 'true',
        STOWAGE_S3_REGION: s3.region,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      true,
    );
    expect(passes).toBe(RUNS * ROUNDS);
  }, 300_000);
});
