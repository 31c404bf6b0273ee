import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { addTestArchive } from '../ops/make-archive.js';
import { runCli, scriptedPrompter } from './run-cli.js';

let dir: string;
let repo: string;
let names: string[];
const day = 86_400_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-cli-'));
  repo = join(dir, 'backups');
  const repository = new LocalRepository(repo);
  const now = Date.now();
  names = [];
  for (let i = 3; i >= 0; i--) {
    names.push(
      await addTestArchive(repository, {
        startedAt: new Date(now - i * day - 60_000),
        note: i === 0 ? 'latest' : undefined,
      }),
    );
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stowage CLI', () => {
  it('exits 2 on an unknown subcommand or flag, with a suggestion', async () => {
    const sub = await runCli(['lsit', repo]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/unknown command 'lsit'[\s\S]*Did you mean list\?/);
    const flag = await runCli(['list', repo, '--jsno']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--jsno'[\s\S]*Did you mean --json\?/);
    const value = await runCli(['status', repo, '--max-age', 'soon']);
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/--max-age must be a duration/);
  });

  it('lists archives as a table and as JSON', async () => {
    const human = await runCli(['list', repo]);
    expect(human.code).toBe(0);
    // The table is the result: stdout, so `stowage list R | grep shop` works.
    expect(human.stderr).toBe('');
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^DATE \(UTC\)\s+DATABASE\s+ENGINE\s+KIND\s+SIZE\s+DURATION\s+VERIFIED\s+NAME\s+NOTE$/,
    );
    expect(lines).toHaveLength(6);
    expect(lines[4]).toMatch(
      new RegExp(`shop\\s+postgres\\s+scheduled\\s+.*1\\.5 s\\s+-\\s+${names[3]}\\s+latest$`),
    );
    const json = (await runCli(['list', repo, '--json'])).json<{
      archives: { name: string; at: string }[];
    }>();
    expect(json.archives.map((a) => a.name)).toEqual(names);
    expect(json.archives[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('verifies, and status reports health with the right exit code', async () => {
    const verified = await runCli(['verify', join(repo, names[3]!)]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/ok\s+public\.items\s+10 items/);
    const ok = await runCli(['status', repo, '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json()).toMatchObject({
      ok: true,
      databases: [{ database: 'shop', verification: 'passed', archives: 4 }],
    });
    const stale = await runCli(['status', repo, '--max-age', '30s']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/FAIL\s+shop/);
    expect(stale.stdout).toMatch(/shop: newest backup is (\d+s|\dm) old \(limit 30s\)/);
    const prom = await runCli(['status', repo, '--format', 'prometheus']);
    expect(prom.code).toBe(0);
    expect(prom.stdout).toMatch(/^# HELP stowage_backup_last_success_timestamp_seconds/m);
    expect(prom.stdout).toMatch(/stowage_backup_healthy\{repository="[^"]+",database="shop"\} 1/);
    const empty = await runCli(['status', join(dir, 'empty-repo')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/repository folder does not exist/);
  });

  it('exits 1 when verification finds damage', async () => {
    const damaged = join(dir, 'damaged.stow');
    const { LocalFileSink } = await import('../../src/store/local/local-file-sink.js');
    const { writeTestArchive } = await import('../ops/make-archive.js');
    await writeTestArchive(await LocalFileSink.create(damaged), {
      compression: 'none',
      streams: [{ name: 't', data: Buffer.alloc(9000, 1), items: 1 }],
    });
    const handle = await open(damaged, 'r+');
    await handle.write(Buffer.from([0x55]), 0, 1, 5000);
    await handle.close();
    const result = await runCli(['verify', damaged]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/VERIFICATION FAILED/);
  });

  it('prunes with a dry run first, and refuses to delete everything', async () => {
    const dry = await runCli(['prune', repo, '--keep-last', '1', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      new RegExp(`keep\\s+.*${names[3]}\\s+\\(last 1 \\(#1\\); newest verified backup\\)`),
    );
    expect(dry.stdout).toMatch(
      new RegExp(`would delete\\s+.*${names[0]}\\s+\\(not selected by any keep rule\\)`),
    );
    expect(dry.stdout).toMatch(/dry run: 3 of 4 archives would be deleted, 1 kept/);
    const all = await runCli(['prune', repo, '--keep-daily', '0']);
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/this retention policy keeps nothing/);
    expect((await runCli(['list', repo, '--json'])).json<{ archives: unknown[] }>().archives).toHaveLength(4);
  });

  it('restore without an archive lists the choices; on a terminal it asks', async () => {
    const listed = await runCli(['restore', repo, 'postgres://app@127.0.0.1:9/shop_copy']);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain(names[3]);
    expect(listed.stderr).toMatch(/is a repository: choose an archive/);
    // A person picks the newest archive. The confirmation comes once the restore knows what it
    // would replace in the target; this target cannot be reached, so it fails first, writing nothing.
    const { prompt, asked } = scriptedPrompter({ select: [0], confirm: [false] });
    const cancelled = await runCli(['restore', repo, 'postgres://app:pw@127.0.0.1:9/shop_copy'], {
      interactive: true,
      prompt,
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/Restore which archive/);
    expect(cancelled.stderr).toContain(`restoring ${join(repo, names[3]!)}`);
    expect(cancelled.stderr).toMatch(/127\.0\.0\.1:9/);
    expect(cancelled.stderr).not.toContain(':pw@');
    expect(cancelled.code).toBe(1);
  });

  it('validates daemon configs, pointing at the key', async () => {
    const good = join(dir, 'good.yaml');
    await writeFile(
      good,
      `jobs:\n  - name: shop\n    source: postgres://app@db/shop\n    repository: ${repo}\n    schedule: "0 2 * * *"\n`,
    );
    const check = await runCli(['daemon', '--config', good, '--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(
      /good\.yaml: valid, 1 job\n {2}shop: postgres:\/\/app@db\/shop → .*"0 2 \* \* \*", next \d{4}-/,
    );
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      `jobs:\n  - name: shop\n    source: postgres://app@db/shop\n    repository: ${repo}\n    schedule: "0 2 * *"\n    keep_daily: 3\n`,
    );
    const invalid = await runCli(['daemon', '--config', bad, '--check']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /invalid config .*bad\.yaml: jobs\[0\]: unknown key "keep_daily"|jobs\[0\]\.schedule/,
    );
    const missing = await runCli(['daemon', '--config', join(dir, 'nope.yaml'), '--check']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read config .*nope\.yaml: ENOENT/);
  });

  it('shows examples and exit codes in --help', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const sub of [
      'backup',
      'restore',
      'list',
      'inspect',
      'verify',
      'prune',
      'status',
      'daemon',
      'demo',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    }
    expect(help.stdout).toMatch(
      /Exit codes: 0 success, 1 failure or a declined confirmation, 2 bad usage, 130 interrupted by a signal/,
    );
    const prune = await runCli(['prune', '--help']);
    expect(prune.stdout).toMatch(/Examples:\n {2}\$ stowage prune \.\/backups --dry-run/);
  });
});
