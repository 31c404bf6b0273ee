import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoment } from '../../src/cli/commands/restore.js';
import { openRepository } from '../../src/store/open-repository.js';
import { runCli } from '../cli/run-cli.js';
import { writeChain } from './chain-fixtures.js';

// The continuous backup flags and outputs of the CLI, without a database:
// refusals come before any connection, and the catalog commands read chains
// written as real archives.

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stowage-chain-cli-'));
  const repository = await openRepository(dir);
  await writeChain(repository, 'shop-20260101-000000', 1, 2);
  await repository.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('continuous backup on the command line', () => {
  it('refuses bad --until flags with exit 2 before connecting', async () => {
    const cases: [string[], RegExp][] = [
      [['--until', 'yesterday'], /--until yesterday is not a time/],
      [
        ['--until', '2026-01-01T00:00:00Z', '--until-ts', '1:1'],
        /give one of --until, --until-ts and --until-lsn/,
      ],
      [['--until-ts', 'soon'], /"soon" is not an oplog timestamp/],
    ];
    for (const [flags, message] of cases) {
      const run = await runCli(['restore', dir, 'mongodb://127.0.0.1:9/x', ...flags]);
      expect(run.code, flags.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    const lsn = await runCli(['restore', dir, 'mongodb://127.0.0.1:9/x', '--until-lsn', '0/1']);
    expect(lsn.stderr).toMatch(/--until-lsn is not for MongoDB targets/);
    const archive = await runCli([
      'restore',
      join(dir, 'shop-20260101-000000.stow'),
      'mongodb://127.0.0.1:9/x',
      '--until',
      'latest',
    ]);
    expect(archive.code).toBe(2);
    expect(archive.stderr).toMatch(/--until restores from a repository of continuous backups/);
  });

  it('reads --until times as UTC unless they carry a zone', () => {
    expect(parseMoment('2026-11-21T10:14:59Z')?.toISOString()).toBe('2026-11-21T10:14:59.000Z');
    expect(parseMoment('2026-11-21 10:14:59')?.toISOString()).toBe('2026-11-21T10:14:59.000Z');
    expect(parseMoment('2026-11-21T10:14:59.5+02:00')?.toISOString()).toBe('2026-11-21T08:14:59.500Z');
    for (const bad of ['10:14', '2026-11-21', 'tomorrow', '2026-13-45T99:00:00Z'])
      expect(parseMoment(bad), bad).toBeUndefined();
  });

  it('refuses follow into an archive file or with a segment interval of 0', async () => {
    const file = await runCli(['follow', 'mongodb://127.0.0.1:9/x', '--to', join(dir, 'x.stow')]);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/follow writes a chain of archives into a repository/);
    const zero = await runCli(['follow', 'mongodb://127.0.0.1:9/x', '--to', dir, '--segment-seconds', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--segment-seconds must be a positive number/);
    const full = await runCli(['follow', 'mongodb://127.0.0.1:9/x', '--to', dir, '--replica-identity-full']);
    expect(full.stderr).toMatch(/--replica-identity-full is not for MongoDB sources/);
  });

  it('list, inspect and status show the chain: base, segments, window', async () => {
    const list = await runCli(['list', dir]);
    expect(list.stdout).toMatch(
      /chain shop-20260101-000000: base shop-20260101-000000\.stow \+ 2 segments \(.*\), restorable 2026-01-01T00:00:01\.000Z to 2026-01-01T00:00:25\.000Z/,
    );
    expect(list.stdout).not.toMatch(/seg-000001\.stow\s+\d/);
    const listJson = (await runCli(['list', dir, '--json'])).json<{
      archives: unknown[];
      chains: { window: { toPosition: string }; segments: { lastCommitAt: string }[] }[];
    }>();
    expect(listJson.archives).toHaveLength(1);
    expect(listJson.chains[0]!.window.toPosition).toBe('1002:1');
    // Each segment's last commit, so a reader can tell how far behind the source it landed.
    expect(listJson.chains[0]!.segments.map((s) => s.lastCommitAt)).toEqual([
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:20.000Z',
    ]);

    const segment = await runCli(['inspect', join(dir, 'shop-20260101-000000.seg-000002.stow')]);
    expect(segment.code).toBe(0);
    expect(segment.stdout).toMatch(
      /segment: +2 of chain shop-20260101-000000: 1 change after 1001:1 up to 1002:1/,
    );
    const base = await runCli(['inspect', join(dir, 'shop-20260101-000000.stow')]);
    expect(base.stdout).toMatch(/shop-20260101-000000\.seg-000001\.stow +1 change up to 1001:1/);

    // The chain's window ended long ago: status fails, naming the lag.
    const status = await runCli(['status', dir, '--json']);
    expect(status.code).toBe(1);
    const chains = status.json<{ chains: { chain: string; ok: boolean; problems: string[] }[] }>().chains;
    expect(chains[0]).toMatchObject({ chain: 'shop-20260101-000000', ok: false });
    expect(chains[0]!.problems[0]).toMatch(/lags .* \(limit 15m\): is follow running\?/);
  });
});
