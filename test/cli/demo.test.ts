import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('stowage demo', () => {
  it('runs the whole round trip on embedded PostgreSQL and finds every table identical', async () => {
    const result = await runCli(['demo', '--json']);
    expect(result.stderr).not.toMatch(/stowage: /);
    expect(result.code).toBe(0);
    const out = result.json<{
      ok: boolean;
      tables: number;
      rows: number;
      comparison: { units: { unit: string; match: boolean; archiveItems: number; databaseItems: number }[] };
      verify: { ok: boolean };
      notes: string[];
      kept: boolean;
    }>();
    expect(out.ok).toBe(true);
    expect(out.verify.ok).toBe(true);
    expect(out.tables).toBe(4);
    expect(out.comparison.units).toHaveLength(4);
    for (const u of out.comparison.units)
      expect(u).toMatchObject({ match: true, databaseItems: u.archiveItems });
    expect(out.rows).toBe(out.comparison.units.reduce((n, u) => n + u.archiveItems, 0));
    expect(out.notes.join('\n')).toMatch(/COPY FROM STDIN/);
    expect(out.kept).toBe(false);
  }, 180_000);
});
