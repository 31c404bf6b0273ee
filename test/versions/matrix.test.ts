// PostgreSQL 9.6 through 18 from one install: a compact round-trip suite on
// every installed major version, then every version's backup of one shared
// fixture restored into every other version. Each restore is compared with the
// fixture loaded natively into the same target server (schema, data, sequence
// values, large objects). The run writes docs/COMPATIBILITY.md.
// Versions come from scripts/install-pg-versions.sh (plus Debian's server);
// PGlite (PostgreSQL 18 in WebAssembly) is one more source and target.
// STOWAGE_SKIP_PG_MATRIX=1 skips it (.ci/run's second, Node 22, test run).
// STOWAGE_PG_MAJORS=9.6,18,PGlite narrows a run (the document is then not written).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineBackupResult } from '../../src/engines/engine.js';
import { type PgliteServer, startPglite } from '../postgres/pglite.js';
import { backupToMemory, restoreFromMemory } from '../postgres/support.js';
import type { MemoryStreams } from '../support/memory-streams.js';
import { withPgClient } from '../support/pg.js';
import { installedPgVersions, majorOrder, type PgInstall, startPgVersion } from '../support/pg-versions.js';
import {
  createDatabase,
  databaseImage,
  fixturesFor,
  loadVersionFixtures,
  versionFixtures,
} from './oracles.js';

/** One kind of server the matrix runs: a PostgreSQL build, or PGlite. */
interface Side {
  /** Row and column name in the document. */
  label: string;
  /** Major version, for what the fixture may hold. */
  major: string;
  version: string;
  open(): Promise<Host>;
}
/** A running side: hands out empty databases. */
interface Host {
  database(what: string): Promise<string>;
  stop(): Promise<void>;
}

function serverSide(install: PgInstall): Side {
  return {
    label: install.major,
    major: install.major,
    version: install.version,
    async open() {
      const server = await startPgVersion(install);
      return { database: (what) => createDatabase(server.url, dbName(what)), stop: () => server.stop() };
    },
  };
}

/** PGlite (PostgreSQL 18 in WebAssembly) holds one database: each one asked for is a fresh instance. */
const pgliteSide: Side = {
  label: 'PGlite',
  major: '18',
  version: 'PGlite 18',
  async open() {
    const started: PgliteServer[] = [];
    return {
      async database() {
        const p = await startPglite();
        started.push(p);
        return p.url;
      },
      async stop() {
        for (const p of started) await p.stop();
      },
    };
  },
};

const versions = installedPgVersions();
const withPglite = !process.env.STOWAGE_PG_MAJORS || process.env.STOWAGE_PG_MAJORS.includes('PGlite');
const installs: Side[] = versions.length
  ? [...versions.map(serverSide), ...(withPglite ? [pgliteSide] : [])]
  : [];
const fullRun = !process.env.STOWAGE_PG_MAJORS;
const MATRIX_TIMEOUT = 600_000;

type Backup = { streams: MemoryStreams; result: EngineBackupResult };

/** Cells of the document: `source -> target`, and each version's own round trip. */
const cells = new Map<string, string>();
const roundTrips = new Map<string, string>();
const backups = new Map<string, Backup>();
let dbCounter = 0;
const dbName = (what: string) => `v_${what}_${process.pid}_${++dbCounter}`;

/** The fixture files a restore of `source`'s backup into `target` must leave out. */
function missingIn(source: string, target: string): string[] {
  return fixturesFor(source)
    .filter((f) => majorOrder(f.minMajor) > majorOrder(target))
    .map((f) => f.feature);
}

function record(map: Map<string, string>, key: string, run: () => Promise<string>): () => Promise<void> {
  return async () => {
    try {
      map.set(key, await run());
    } catch (error) {
      map.set(
        key,
        `FAIL: ${String((error as Error).message ?? error)
          .split('\n')[0]
          ?.slice(0, 160)}`,
      );
      throw error;
    }
  };
}

describe.skipIf(installs.length === 0 || process.env.STOWAGE_SKIP_PG_MATRIX === '1')(
  'PostgreSQL version matrix',
  () => {
    for (const install of installs) {
      describe.sequential(`${install.label} (${install.version})`, () => {
        let server: Host;
        let sourceUrl = '';
        beforeAll(async () => {
          server = await install.open();
          sourceUrl = await server.database('source');
          await loadVersionFixtures(sourceUrl, fixturesFor(install.major));
        });
        afterAll(async () => server?.stop());

        it(
          'round trip: types, object kinds, inheritance, partitions, large objects, table parts',
          record(roundTrips, install.label, async () => {
            const backup = await backupToMemory(sourceUrl, { splitTableBytes: 8192 }, 2);
            backups.set(install.label, backup);
            const target = await server.database('copy');
            await restoreFromMemory(target, backup, {}, 2);
            expect(await databaseImage(target)).toEqual(await databaseImage(sourceUrl));
            const notes = backup.result.warnings.filter((w) => !/large objects not backed up/.test(w));
            return notes.length ? `pass (${notes.join('; ')})` : 'pass';
          }),
          MATRIX_TIMEOUT,
        );

        it('data-only restore into an existing schema', async () => {
          const backup = backups.get(install.label);
          expect(backup, 'the round trip made no backup').toBeDefined();
          const target = await server.database('dataonly');
          await restoreFromMemory(target, backup as Backup, { schemaOnly: true }, 2);
          const reload = { streams: (backup as Backup).streams, result: (backup as Backup).result };
          await restoreFromMemory(target, reload, { dataOnly: true, disableTriggers: true }, 2);
          expect(await databaseImage(target)).toEqual(await databaseImage(sourceUrl));
        });

        it('selective restore of one table', async () => {
          const backup = backups.get(install.label) as Backup;
          const target = await server.database('selective');
          await restoreFromMemory(target, backup, { includeTables: ['app.parent'] }, 2);
          await withPgClient(target, async (c) => {
            const tables = await c.query<{ t: string }>(
              `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'app' AND c.relkind IN ('r', 'p') ORDER BY 1`,
            );
            expect(tables.rows.map((r) => r.t)).toEqual(['parent']);
            const count = await c.query<{ n: string }>('SELECT count(*) AS n FROM app.parent');
            expect(count.rows[0]?.n).toBe('50');
          });
        });
      });
    }

    for (const target of installs.length > 1 ? installs : []) {
      describe.sequential(`restores into ${target.label}`, () => {
        let server: Host;
        /** Fixture loaded natively, per fixture level: what a restore must equal. */
        const references = new Map<string, string[]>();
        const reference = async (level: string): Promise<string[]> => {
          const known = references.get(level);
          if (known) return known;
          const url = await server.database('reference');
          await loadVersionFixtures(url, fixturesFor(level));
          const image = await databaseImage(url);
          references.set(level, image);
          return image;
        };
        beforeAll(async () => {
          server = await target.open();
        });
        afterAll(async () => server?.stop());

        for (const source of installs) {
          if (source === target) continue;
          it(
            `${source.label} -> ${target.label}`,
            record(cells, `${source.label}->${target.label}`, () =>
              crossRestore(server, source, target, reference),
            ),
            MATRIX_TIMEOUT,
          );
        }
      });
    }

    afterAll(() => {
      const expected = installs.length * (installs.length - 1);
      if (!fullRun || cells.size < expected || roundTrips.size < installs.length) return;
      writeFileSync(join(import.meta.dirname, '../../docs/COMPATIBILITY.md'), compatibilityDocument());
    });
  },
);

async function crossRestore(
  server: Host,
  source: Side,
  target: Side,
  reference: (level: string) => Promise<string[]>,
): Promise<string> {
  const backup = backups.get(source.label);
  if (!backup) throw new Error(`no backup from ${source.label} (its round trip failed)`);
  const missing = missingIn(source.major, target.major);
  const url = await server.database('cross');
  if (!missing.length) {
    await restoreFromMemory(url, backup, {}, 2);
    const level = majorOrder(source.major) < majorOrder(target.major) ? source.major : target.major;
    expect(await databaseImage(url)).toEqual(await reference(level));
    return 'pass';
  }
  // Refused before anything is applied, naming what the target lacks.
  const refusal = await restoreFromMemory(url, backup, {}, 2).then(
    () => undefined,
    (error: Error) => error,
  );
  expect(
    refusal,
    `a restore of ${source.major}'s backup into ${target.major} was not refused`,
  ).toBeInstanceOf(Error);
  expect((refusal as Error).message).toMatch(`PostgreSQL ${target.major}`);
  // Nothing applied: the database still holds only what a new one has.
  expect((await databaseImage(url)).filter((l) => l !== 'schema public')).toEqual([]);
  // With the option, those objects are left out with a warning and the rest is complete.
  const events: import('../../src/progress.js').ProgressEvent[] = [];
  await restoreFromMemory(url, backup, { skipMissingFeatures: true }, 2, events);
  expect(await databaseImage(url)).toEqual(await reference(target.major));
  const reason = (refusal as Error).message.replace(/\s+/g, ' ');
  return `pass with skipped objects (${missing.join(', ')}); without --skip-missing-features: refused (${reason.slice(0, 200)})`;
}

function compatibilityDocument(): string {
  const head = installs.map((i) => i.label);
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const rows = installs.map((source) => {
    const row = installs.map((target) =>
      source === target
        ? cell(roundTrips.get(source.label) ?? 'not run')
        : cell(cells.get(`${source.label}->${target.label}`) ?? 'not run'),
    );
    return `| **${source.label}** | ${row.join(' | ')} |`;
  });
  return [
    '# PostgreSQL version compatibility',
    '',
    '<!-- Generated by test/versions/matrix.test.ts from a test run; do not edit by hand. -->',
    '',
    `Generated ${new Date().toISOString().slice(0, 10)} from a run of \`npx vitest run test/versions/matrix.test.ts\` against`,
    `${installs.map((i) => (i.label === i.version ? i.label : `${i.label} (${i.version})`)).join(', ')}.`,
    '',
    'Rows: the version a backup was taken from. Columns: the version it was restored into.',
    'The diagonal is the round trip on one version (types, object kinds, inheritance, partitions,',
    'large objects, table parts; data-only and selective restores are tested there too).',
    'Every restore is compared with the shared fixture (`fixtures/postgres/versions/`) loaded',
    'natively into the same target: schema, table data checksums, sequence values, large objects.',
    'A restore into an older server that lacks a feature an object needs is refused before',
    'anything is applied; `--skip-missing-features` leaves those objects out with a warning.',
    '',
    `Fixture objects that need a newer server: ${versionFixtures()
      .filter((f) => f.feature !== 'base')
      .map((f) => `${f.feature} (${f.minMajor}+)`)
      .join(', ')}.`,
    '',
    `| from \\ into | ${head.join(' | ')} |`,
    `| --- | ${head.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
  ].join('\n');
}
