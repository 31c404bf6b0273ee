import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { createTestBucket, s3Options } from '../support/s3.js';
import { runCli } from './run-cli.js';

let source: TestPgDatabase;
let copy: TestPgDatabase;
let bucket: string;

beforeAll(async () => {
  // The CLI takes credentials from the usual AWS variables; this file runs in its own process.
  const s3 = s3Options();
  process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
  bucket = await createTestBucket('stowage-cli');
  source = await createPgDatabase('stowage_cli_src');
  copy = await createPgDatabase('stowage_cli_copy');
  await copy.drop(); // restore --create makes it
  await withPgClient(source.url, (c) =>
    c.query(
      "CREATE TABLE items (id int PRIMARY KEY, label text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 250) g",
    ),
  );
});
afterAll(async () => {
  await source?.drop();
  await copy?.drop();
});

describe('CLI with an S3 repository', () => {
  it('backs up to S3, lists, inspects and restores the latest archive', async () => {
    const endpoint = ['--s3-endpoint', s3Options().endpoint!];
    const repo = `s3://${bucket}/nightly`;
    const backup = await runCli(['backup', source.url, '--to', repo, ...endpoint, '--json']);
    expect(backup.stderr).not.toMatch(/stowage: /);
    expect(backup.code).toBe(0);
    const { archive, streams } = backup.json<{ archive: string; streams: number }>();
    expect(archive).toMatch(new RegExp(`^${repo}/${source.name}-\\d{8}-\\d{6}-manual\\.stow$`));
    expect(streams).toBe(1);

    const listed = await runCli(['list', repo, ...endpoint]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(archive.split('/').pop());

    const inspected = await runCli(['inspect', archive, ...endpoint, '--json']);
    expect(inspected.json()).toMatchObject({ engine: 'postgres', database: source.name });

    const restored = await runCli([
      'restore',
      repo,
      copy.url,
      '--latest',
      '--create',
      '--yes',
      ...endpoint,
      '--json',
    ]);
    expect(restored.stderr).not.toMatch(/stowage: /);
    expect(restored.json()).toMatchObject({ items: 250 });
    const n = await withPgClient(copy.url, async (c) =>
      Number((await c.query('SELECT count(*) AS n FROM items')).rows[0].n),
    );
    expect(n).toBe(250);
  });

  it('says clearly when the credentials are wrong or the endpoint is down', async () => {
    const wrong = await runCli(
      ['list', `s3://${bucket}/nightly`, '--s3-endpoint', s3Options().endpoint!],
      {},
    );
    expect(wrong.code).toBe(0);
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'definitely-wrong';
    try {
      const denied = await runCli(['list', `s3://${bucket}/nightly`, '--s3-endpoint', s3Options().endpoint!]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(
        /^stowage: S3 rejected the credentials for s3:\/\/.*\(SignatureDoesNotMatch\)\nhint: check AWS_ACCESS_KEY_ID/,
      );
      expect(denied.stderr).not.toContain('definitely-wrong');
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
    const down = await runCli(['status', `s3://${bucket}/nightly`, '--s3-endpoint', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^stowage: cannot reach the S3 endpoint for s3:\/\/.* \(ECONNREFUSED\)/);
  });
});
