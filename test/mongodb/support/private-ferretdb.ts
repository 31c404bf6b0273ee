import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { findFerretDB, freePort } from '../../support/local-servers.js';

/**
 * A FerretDB of a test's own, for tests that must stop or restart the server
 * (which the shared one must never be) or need the whole server to
 * themselves. Only where a FerretDB binary is installed; see {@link ferretdbBinary}.
 */
export class PrivateFerretDB {
  private child: ChildProcess | undefined;
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    private readonly oplog = false,
  ) {}

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  /**
   * With `oplog`, FerretDB runs as a one-member replica set and gets a capped
   * `local.oplog.rs`, which it then fills on every write: a real oplog for
   * the point-in-time tests. (Only on a private server: on the shared one,
   * every backup would scan an oplog that every test fills.)
   */
  static async start(options: { oplog?: boolean } = {}): Promise<PrivateFerretDB> {
    const bin = ferretdbBinary();
    if (!bin) throw new Error('no FerretDB binary');
    const server = new PrivateFerretDB(
      bin,
      mkdtempSync(join(tmpdir(), 'stowage-mongo-private-')),
      await freePort(),
      options.oplog ?? false,
    );
    await server.launch();
    return server;
  }

  /** Starts (again) on the same port and data. */
  async launch(): Promise<void> {
    const log = openSync(join(this.dir, 'ferretdb.log'), 'a');
    this.child = spawn(
      this.bin,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${this.dir}/`,
        `--state-dir=${this.dir}`,
        `--listen-addr=127.0.0.1:${this.port}`,
        '--telemetry=disable',
        '--debug-addr=-',
        '--log-level=error',
        ...(this.oplog ? ['--repl-set-name=rs0'] : []),
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    for (let i = 0; i < 150; i++) {
      const client = new MongoClient(this.url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
      try {
        await client.connect();
        await client.db('admin').command({ ping: 1 });
        if (this.oplog) await createOplog(client);
        return;
      } catch {
        await sleep(100);
      } finally {
        await client.close().catch(() => {});
      }
    }
    throw new Error(
      `private FerretDB did not start: ${readFileSync(join(this.dir, 'ferretdb.log'), 'utf8').slice(-2000)}`,
    );
  }

  /** Kills the server at once, as a crash or `kill -9` would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const OPLOG_BYTES = 64 << 20;

async function createOplog(client: MongoClient): Promise<void> {
  const local = client.db('local');
  const present = await local.listCollections({ name: 'oplog.rs' }, { nameOnly: true }).toArray();
  if (present.length === 0) await local.createCollection('oplog.rs', { capped: true, size: OPLOG_BYTES });
}

/** The installed FerretDB 1.24.2 binary, if any. */
export function ferretdbBinary(): string | undefined {
  return findFerretDB();
}
