import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StowageError } from '../../src/errors.js';
import { restore } from '../../src/ops/restore.js';
import { verify } from '../../src/ops/verify.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { addTestArchive } from './make-archive.js';

// The archive layer reads a manifest's engine as any name (it knows no engines); the
// registry, asked by ops, refuses one no plugin has: an archive of a newer stowage.
describe('an archive of an engine this stowage does not know', () => {
  let dir: string;
  let archive: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-unknown-engine-'));
    const name = await addTestArchive(new LocalRepository(dir), { engine: 'oracle', database: 'ledger' });
    archive = join(dir, name);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies: its frames and digests need no engine', async () => {
    const result = await verify({ archive, record: false });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('is refused by a restore with a one-line error naming the engine, before any connection', async () => {
    // Port 9 (discard): a restore that got as far as connecting would fail differently.
    const error = await restore({
      archive,
      target: 'postgres://nobody@127.0.0.1:9/ledger',
      safetyBackup: false,
      stallTimeoutSeconds: 0,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StowageError);
    expect((error as StowageError).code).toBe('unsupported-version');
    expect((error as StowageError).message).toBe(
      'the archive holds a backup of engine "oracle", which this stowage does not know (it knows postgres, mongodb)',
    );
  });
});
