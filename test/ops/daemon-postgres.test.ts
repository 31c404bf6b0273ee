import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/ops/daemon.js';
import { parseDaemonConfig } from '../../src/ops/daemon-config.js';
import { createPgDatabase, type TestPgDatabase, withPgClient } from '../support/pg.js';

let dir: string;
let db: TestPgDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-daemon-pg-'));
  db = await createPgDatabase('stowage_daemon');
  await withPgClient(db.url, (c) =>
    c.query(
      "CREATE TABLE events (id serial PRIMARY KEY, body text); INSERT INTO events (body) SELECT 'e' || g FROM generate_series(1, 500) g",
    ),
  );
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('daemon with a real PostgreSQL source', () => {
  it('backs up, verifies and applies retention after each run', async () => {
    const repository = join(dir, 'repo');
    const config = parseDaemonConfig(
      JSON.stringify({
        jobs: [
          {
            name: 'events',
            source: db.url,
            repository,
            schedule: '0 3 * * *',
            verify: true,
            retention: { keepLast: 2 },
          },
        ],
        metrics: { listen: 0 },
      }),
      'inline.json',
      {},
    );
    const daemon = await Daemon.start(config, { log: () => {} });
    try {
      const outcomes = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push(await daemon.trigger('events'));
        // Archive names have one-second resolution; wait for the next second rather than collide.
        const next = Math.ceil(Date.now() / 1000) * 1000 + 5;
        await new Promise((r) => setTimeout(r, next - Date.now()));
      }
      expect(outcomes.map((o) => o.status)).toEqual(['success', 'success', 'success']);
      expect(outcomes.every((o) => o.verify?.ok)).toBe(true);
      expect(outcomes[2]?.prune?.deleted).toHaveLength(1);
      const archives = (await readdir(repository)).filter((f) => f.endsWith('.stow'));
      expect(archives).toHaveLength(2);
      const metrics = await fetch(`http://${daemon.metricsAddress}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(
        new RegExp(`stowage_backup_healthy\\{repository="[^"]+",database="${db.name}"\\} 1`),
      );
      expect(metrics).toMatch(
        new RegExp(
          `stowage_backup_last_verification_success\\{repository="[^"]+",database="${db.name}"\\} 1`,
        ),
      );
      expect(metrics).toContain('stowage_backup_runs_total{job="events"} 3');
      expect(metrics).toContain('stowage_backup_failures_total{job="events"} 0');
    } finally {
      await daemon.stop();
    }
  });

  it('never runs two runs of one job at once', async () => {
    const repository = join(dir, 'overlap');
    const config = parseDaemonConfig(
      JSON.stringify({
        jobs: [{ name: 'events', source: db.url, repository, schedule: '0 3 * * *' }],
        metrics: { listen: false },
      }),
      'inline.json',
      {},
    );
    const daemon = await Daemon.start(config, { log: () => {} });
    try {
      const [a, b] = await Promise.all([daemon.trigger('events'), daemon.trigger('events')]);
      expect(a).toBe(b);
      expect((await readdir(repository)).filter((f) => f.endsWith('.stow'))).toHaveLength(1);
    } finally {
      await daemon.stop();
    }
  });
});
