// Issue 11 from the command line: an archive of a PostgreSQL 18 database
// restored into the shared PostgreSQL 15, which lacks virtual generated
// columns. Without --skip-missing-features the restore is refused before
// anything is applied, naming the objects, the feature and the flag; with it,
// the restore completes and says what it left out.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgUrlFor, withPgClient } from '../support/pg.js';
import { installedPgVersions, type RunningPg, startPgVersion } from '../support/pg-versions.js';
import { pgUrl } from '../support/servers.js';
import { runCli } from './run-cli.js';

const pg18 = installedPgVersions().find((i) => i.major === '18');

describe.skipIf(!pg18)(
  'stowage restore across versions: --skip-missing-features',
  { timeout: 120_000 },
  () => {
    let server: RunningPg;
    let dir: string;
    let archive: string;
    const targets: string[] = [];
    const target = (label: string) => {
      const name = `pg_xver_cli_${label}_${Date.now().toString(36)}_${Math.random().toString(16).slice(2, 8)}`;
      targets.push(name);
      return { name, url: pgUrlFor(name) };
    };
    const exists = (name: string) =>
      withPgClient(pgUrl(), async (c) => {
        const { rows } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        return rows.length === 1;
      });

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'stowage-xver-cli-'));
      server = await startPgVersion(pg18 as NonNullable<typeof pg18>);
      await withPgClient(server.url, (c) => c.query('CREATE DATABASE xver_src'));
      const source = server.url.replace(/\/postgres$/, '/xver_src');
      await withPgClient(source, (c) =>
        c.query(`
        CREATE TABLE plain (id integer PRIMARY KEY, note text);
        INSERT INTO plain SELECT g, 'row ' || g FROM generate_series(1, 50) g;
        CREATE TABLE priced (id integer PRIMARY KEY, net numeric, gross numeric GENERATED ALWAYS AS (net * 1.2) VIRTUAL);
        INSERT INTO priced (id, net) SELECT g, g FROM generate_series(1, 10) g;
        CREATE VIEW dear AS SELECT id FROM priced WHERE gross > 5;`),
      );
      archive = join(dir, 'pg18.stow');
      const made = await runCli(['backup', source, '--to', archive]);
      expect(made.code, made.stderr).toBe(0);
    }, 180_000);
    afterAll(async () => {
      await withPgClient(pgUrl(), async (c) => {
        for (const name of targets) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('without the flag: refused before anything is applied, naming the objects, the feature and the flag', async () => {
      const { name, url } = target('refused');
      const run = await runCli(['restore', archive, url, '--create', '--yes']);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('PostgreSQL 18 backup into PostgreSQL 15');
      expect(run.stderr).toContain('table public.priced uses virtual generated columns (PostgreSQL 18+)');
      expect(run.stderr).toContain('--skip-missing-features');
      expect(await exists(name)).toBe(false);
    });

    it('with the flag: the restore completes and reports what it left out', async () => {
      const { url } = target('skipped');
      const run = await runCli(['restore', archive, url, '--create', '--yes', '--skip-missing-features']);
      expect(run.code, run.stderr).toBe(0);
      const said = run.stdout + run.stderr;
      expect(said).toContain(
        'warning: table public.priced left out: it uses virtual generated columns, which PostgreSQL 15 lacks',
      );
      expect(said).toMatch(
        /warning: view public.dear left out: it depends on table public\.priced, which PostgreSQL 15 cannot hold/,
      );
      await withPgClient(url, async (c) => {
        const { rows } = await c.query(
          `SELECT (SELECT count(*)::int FROM plain) AS plain,
           to_regclass('public.priced') IS NULL AS no_priced, to_regclass('public.dear') IS NULL AS no_dear`,
        );
        expect(rows).toEqual([{ plain: 50, no_priced: true, no_dear: true }]);
      });
    });
  },
);
