// User mapping options and subscription connection strings travel in the
// archive, as in a pg_dump, but inspect --json never prints them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backup } from '../../src/ops/backup.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';
import { runCli } from './run-cli.js';

let dir: string;
let db: TestPgDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-secrets-'));
  db = await createPgDatabase('stowage_secrets');
  await withPgClient(db.url, (c) =>
    c.query(`
      CREATE EXTENSION postgres_fdw;
      CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'remote.invalid');
      CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS (user 'app', password 'mapping-pw-31337');
      CREATE SUBSCRIPTION feed CONNECTION 'host=pub.invalid password=conninfo-pw-4242' PUBLICATION p
        WITH (connect = false, slot_name = NONE, enabled = false);`),
  );
});

afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

it('inspect --json masks the statements that hold credentials, the archive keeps them', async () => {
  const summary = await backup({ source: db.url, to: join(dir, 'repo') });
  const objects = (summary.manifest.schema as { objects: { kind: string; sql: string[] }[] }).objects;
  expect(JSON.stringify(objects)).toContain('mapping-pw-31337');
  expect(JSON.stringify(objects)).toContain('conninfo-pw-4242');

  const shown = await runCli(['inspect', summary.archive, '--json']);
  expect(shown.code).toBe(0);
  expect(shown.stdout).not.toContain('mapping-pw-31337');
  expect(shown.stdout).not.toContain('conninfo-pw-4242');
  const kinds = shown
    .json<{ schema: { objects: { kind: string; sql: string[] }[] } }>()
    .schema.objects.filter((o) => o.kind === 'user-mapping' || o.kind === 'subscription');
  expect(kinds.map((o) => [o.kind, o.sql])).toEqual([
    ['user-mapping', ['-- not shown: holds credentials']],
    ['subscription', ['-- not shown: holds credentials']],
  ]);
});
