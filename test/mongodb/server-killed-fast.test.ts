import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { mongodbEngine } from '../../src/engines/mongodb/engine.js';
import { StowageError } from '../../src/errors.js';
import { backup } from '../../src/ops/backup.js';
import { ignoreProgress } from '../../src/progress.js';
import { GatedWriters } from './support/gated-streams.js';
import { ferretdbBinary, PrivateFerretDB } from './support/private-ferretdb.js';

// A server killed mid-run ends the run at once, as PostgreSQL's does: the operations still queued
// on the client (the other worker's, the cleanup's killCursors) used to wait out the driver's
// server selection, 5 s, before failing the same way. The kill comes at a precise point of the
// run (gated streams); the bound is what separates "at once" from the 5 s wait, on a loaded machine.

const bin = ferretdbBinary();
const why = 'needs an installed FerretDB 1.24.2 binary to start and kill a server of its own';
/** Far below the 5 s server selection the run used to wait out, far above a loaded machine's delays. */
const AT_ONCE_MS = 2500;

async function seed(url: string, collections: Record<string, number>) {
  const client = new MongoClient(url);
  try {
    await client.connect();
    for (const [name, n] of Object.entries(collections)) {
      const docs = Array.from({ length: n }, (_, i) => ({ _id: i, pad: 'x'.repeat(4000) }));
      for (let i = 0; i < docs.length; i += 500)
        await client
          .db('shop')
          .collection(name)
          .insertMany(docs.slice(i, i + 500) as Document[]);
    }
  } finally {
    await client.close();
  }
}

describe.skipIf(!bin)(
  `server killed mid-run: the run ends at once (${bin ? 'private FerretDB' : why})`,
  () => {
    let server: PrivateFerretDB | undefined;
    let dir: string | undefined;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('backup on two connections', async () => {
      server = await PrivateFerretDB.start();
      const srv = server;
      await seed(srv.url, { orders: 3000, users: 3000 });
      let killedAt = 0;
      const streams = new GatedWriters('shop.orders', async () => {
        // Before the kill's own wait for the process to go: the run may fail within it.
        killedAt = Date.now();
        await srv.kill();
      });
      const error = await mongodbEngine
        .backup({ url: `${srv.url}shop`, streams, jobs: 2, options: {}, progress: ignoreProgress })
        .catch((e: unknown) => e);
      const took = Date.now() - killedAt;
      expect(error).toBeInstanceOf(StowageError);
      expect((error as StowageError).code, (error as StowageError).message).toBe('mongo-connection-lost');
      expect(took).toBeLessThan(AT_ONCE_MS);
    });

    it('restore, as the CLI runs it: the process exits at once, one line, exit 1', async () => {
      server = await PrivateFerretDB.start();
      const srv = server;
      await seed(srv.url, { orders: 6000, users: 6000 });
      dir = await mkdtemp(join(tmpdir(), 'stowage-killed-fast-'));
      const { archive } = await backup({
        source: `${srv.url}shop`,
        to: join(dir, 'shop.stow'),
        preflight: false,
      });
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/bin.ts', 'restore', archive, `${srv.url}copy`, '--yes'],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, STOWAGE_DEBUG: '' } },
      );
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      // Killed once documents flow (the first "… so far" progress line), the run still far from done.
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (/ so far /.test(stderr)) resolve();
        });
        void exited.then(() => reject(new Error(`the restore ended before the kill:\n${stderr}`)));
      });
      await srv.kill();
      const killedAt = Date.now();
      const code = await exited;
      const took = Date.now() - killedAt;
      expect(code, stderr).toBe(1);
      expect(took).toBeLessThan(AT_ONCE_MS);
      const errors = stderr.split('\n').filter((l) => l.startsWith('stowage:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/lost the connection to MongoDB .* is partly restored$/);
    });
  },
);
