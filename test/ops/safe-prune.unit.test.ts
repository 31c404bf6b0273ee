// Retention over real archives in a temp folder: a damaged archive must never
// take the place of an intact one (issue 15, "never lose a backup").
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { list } from '../../src/ops/list.js';
import { prune } from '../../src/ops/prune.js';
import { status } from '../../src/ops/status.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { runCli } from '../cli/run-cli.js';
import { addTestArchive } from './make-archive.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-safe-prune-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hour = 3_600_000;
const day = 24 * hour;
const now = new Date('2026-11-21T12:00:00Z');

/** Flips one byte `fromEnd` bytes before the end of a file (inside the footer/manifest for small values past the 32-byte trailer). */
async function flipByte(path: string, fromEnd: number): Promise<void> {
  const size = (await stat(path)).size;
  const handle = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, size - fromEnd);
    b[0] = b[0]! ^ 0xff;
    await handle.write(b, 0, 1, size - fromEnd);
  } finally {
    await handle.close();
  }
}

/** Three daily backups of `shop`, the newest with one byte of its manifest flipped. */
async function repoWithDamagedNewest(name: string, encryption?: { passphrase: string }) {
  const path = join(dir, name);
  const repository = new LocalRepository(path);
  const names: string[] = [];
  for (let i = 2; i >= 0; i--) {
    names.push(
      await addTestArchive(repository, { startedAt: new Date(now.getTime() - i * day), encryption }),
    );
  }
  const newest = names[2]!;
  await flipByte(join(path, newest), 60);
  return { path, repository, intact: names.slice(0, 2), newest };
}

async function archivesIn(repository: LocalRepository) {
  return (await repository.listFiles()).map((f) => f.name).filter((n) => n.endsWith('.stow'));
}

describe('prune with a damaged archive', () => {
  it('lists the damaged archive as damaged and the others as restorable', async () => {
    const { path, newest } = await repoWithDamagedNewest('list');
    const archives = await list({ repository: path });
    expect(archives.map((a) => a.health)).toEqual(['restorable', 'restorable', 'damaged']);
    expect(archives.find((a) => a.name === newest)?.damage).toMatch(/footer|checksum|corrupt/);
  });

  it('keeps the intact backups under the default policy and under --keep-last 1, and warns', async () => {
    const { path, repository, intact, newest } = await repoWithDamagedNewest('default');
    const result = await prune({ repository: path });
    expect(result.deleted).toEqual([]);
    expect(result.decisions.find((d) => d.name === intact[1])?.reasons).toEqual([
      'daily 2026-11-20 (1 of 30)',
    ]);
    expect(result.unrestorable).toMatchObject([{ name: newest, health: 'damaged', deleted: false }]);
    expect(result.warnings.join('\n')).toContain(newest);

    const lastOne = await prune({ repository: path, policy: { keepLast: 1 } });
    expect(lastOne.deleted).toEqual([intact[0]]);
    expect((await archivesIn(repository)).sort()).toEqual([intact[1], newest].sort());
  });

  it('deletes the damaged archive only with deleteDamaged', async () => {
    const { path, repository, intact, newest } = await repoWithDamagedNewest('delete-damaged');
    const result = await prune({ repository: path, policy: { keepLast: 1 }, deleteDamaged: true });
    expect(result.deleted.sort()).toEqual([intact[0], newest].sort());
    expect(await archivesIn(repository)).toEqual([intact[1]]);
  });

  it('tells a damaged encrypted archive from an intact one without the key', async () => {
    const { path, repository, intact, newest } = await repoWithDamagedNewest('encrypted', {
      passphrase: 'secret',
    });
    const archives = await list({ repository: path });
    expect(archives.map((a) => [a.encrypted, a.health])).toEqual([
      [true, 'restorable'],
      [true, 'restorable'],
      [true, 'damaged'],
    ]);
    const health = await status({ repository: path, now: new Date(now.getTime() + 3_600_000) });
    expect(health.databases[0]?.problems.join(' ')).toMatch(/newest backup is damaged/);
    expect((await runCli(['list', path])).stdout).toMatch(/DAMAGED: /);
    const result = await prune({ repository: path, policy: { keepLast: 1 } });
    expect(result.deleted).toEqual([intact[0]]);
    expect((await archivesIn(repository)).sort()).toEqual([intact[1], newest].sort());
  });

  it('reports the damaged archive on the command line, in the log and in --json', async () => {
    const { path, newest } = await repoWithDamagedNewest('cli');
    const run = await runCli(['prune', path, '--keep-last', '1', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`warning: ${newest.replace(/\./g, '\\.')} is damaged`));
    const json = run.json<{ unrestorable: { name: string }[]; deleted: string[] }>();
    expect(json.unrestorable.map((u) => u.name)).toEqual([newest]);
    expect(json.deleted).toHaveLength(1);
  });
});
