// Gives every test a PostgreSQL URL and a MongoDB-protocol URL (see DESIGN.md,
// "Servers for tests"). For each server, in order: the URL from the
// environment; a server started here from installed binaries; a testcontainers
// container when a Docker engine answers. Failing all of them fails the run:
// tests never skip for want of a server.
import { MongoClient } from 'mongodb';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { dockerAnswers, startMongoContainer, startPostgresContainer } from './support/containers.js';
import {
  findFerretDB,
  findPostgresBinDir,
  HarnessRoot,
  ServerUnavailable,
  type StartedServer,
  startLocalFerretDB,
  startLocalPostgres,
} from './support/local-servers.js';
import { probeMongo } from './support/mongo-probe.js';
import type { MongoCapabilities, ServerInfo } from './support/provided.js';

const log = (line: string) => console.log(`[stowage-test] ${line}`);

/** The URL without its password, for the log. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

const HOW_PG =
  'set STOWAGE_TEST_PG_URL=postgres://USER:PASSWORD@HOST:PORT/postgres (a superuser), or run scripts/install-test-servers.sh to install PostgreSQL, or start a Docker engine';
const HOW_MONGO =
  'set STOWAGE_TEST_MONGO_URL=mongodb://HOST:PORT/, or run scripts/install-test-servers.sh to install FerretDB 1.24.2, or start a Docker engine (or, only if FerretDB cannot be installed, STOWAGE_SKIP_MONGO_TESTS=1)';

interface Acquired {
  url: string;
  info: ServerInfo;
  started?: StartedServer;
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
  await client.connect();
  try {
    const res = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${res.rows[0]?.server_version ?? '?'}`;
  } finally {
    await client.end();
  }
}

async function mongoAnswers(url: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 15_000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}

function mongoVersion(caps: MongoCapabilities): string {
  return caps.server === 'ferretdb'
    ? `FerretDB ${caps.version} (reports MongoDB ${caps.reportedMongoVersion})`
    : `MongoDB ${caps.version}`;
}

async function acquire(
  name: string,
  envVar: string,
  how: string,
  root: () => HarnessRoot,
  local: {
    find: () => string | undefined;
    start: (root: HarnessRoot, bin: string) => Promise<StartedServer>;
  },
  container: () => Promise<StartedServer>,
  check: (url: string) => Promise<unknown>,
): Promise<Acquired> {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    try {
      await check(fromEnv);
    } catch (error) {
      throw new Error(`${envVar}=${redact(fromEnv)} does not answer: ${(error as Error).message}`);
    }
    return { url: fromEnv, info: { origin: 'env', version: '' } };
  }

  const problems: string[] = [];
  const bin = local.find();
  if (bin) {
    try {
      const started = await local.start(root(), bin);
      return { url: started.url, info: { origin: 'local', version: started.version }, started };
    } catch (error) {
      if (!(error instanceof ServerUnavailable)) {
        // Installed but broken is worth reporting in full rather than papering over with Docker.
        problems.push(`starting it from ${bin} failed: ${(error as Error).message}`);
      } else {
        problems.push(error.message);
      }
    }
  } else {
    problems.push('no installed server binaries found');
  }

  if (await dockerAnswers()) {
    const started = await container();
    return { url: started.url, info: { origin: 'container', version: started.version }, started };
  }
  problems.push('no Docker engine answers');
  throw new Error(`No ${name} server for the tests: ${how}. [${problems.join('; ')}]`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: StartedServer[] = [];
  let harnessRoot: HarnessRoot | undefined;
  const root = () => {
    harnessRoot ??= new HarnessRoot();
    return harnessRoot;
  };

  const stopAll = async () => {
    for (const server of started.splice(0).reverse()) {
      await server
        .stop()
        .catch((error: unknown) => console.warn(`[stowage-test] stopping a server failed: ${String(error)}`));
    }
    harnessRoot?.remove();
    harnessRoot = undefined;
  };
  // Teardown does not run when vitest is interrupted; servers started here
  // must not outlive it regardless.
  const stopSyncAll = () => {
    for (const server of started.splice(0).reverse()) {
      try {
        server.stopSync();
      } catch {}
    }
    harnessRoot?.remove();
    harnessRoot = undefined;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopSyncAll();
    process.off(signal, onSignal);
    // Re-raise only when nobody else handles it, so the default exit still happens.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', stopSyncAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const detach = () => {
    process.off('exit', stopSyncAll);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
  };

  try {
    const pgServer = await acquire(
      'PostgreSQL',
      'STOWAGE_TEST_PG_URL',
      HOW_PG,
      root,
      { find: findPostgresBinDir, start: startLocalPostgres },
      startPostgresContainer,
      postgresVersion,
    );
    if (pgServer.started) started.push(pgServer.started);
    pgServer.info.version = await postgresVersion(pgServer.url);
    log(
      pgServer.info.origin === 'env'
        ? `PostgreSQL: using ${pgServer.info.version} from STOWAGE_TEST_PG_URL (${redact(pgServer.url)})`
        : `PostgreSQL: started ${pgServer.info.version} (${pgServer.started?.details}) at ${redact(pgServer.url)}`,
    );
    project.provide('stowagePgUrl', pgServer.url);
    project.provide('stowagePgServer', pgServer.info);

    if (process.env.STOWAGE_SKIP_MONGO_TESTS === '1') {
      const banner = '!'.repeat(100);
      console.warn(
        `${banner}\n[stowage-test] STOWAGE_SKIP_MONGO_TESTS=1: NO MongoDB-protocol server; MongoDB test files are EXCLUDED from this run.\n${banner}`,
      );
      project.provide('stowageMongoUrl', '');
      project.provide('stowageMongoServer', null);
      project.provide('stowageMongoCapabilities', null);
    } else {
      const mongoServer = await acquire(
        'MongoDB-protocol',
        'STOWAGE_TEST_MONGO_URL',
        HOW_MONGO,
        root,
        { find: findFerretDB, start: startLocalFerretDB },
        startMongoContainer,
        mongoAnswers,
      );
      if (mongoServer.started) started.push(mongoServer.started);
      const caps = await probeMongo(mongoServer.url);
      mongoServer.info.version = mongoVersion(caps);
      log(
        mongoServer.info.origin === 'env'
          ? `MongoDB protocol: using ${mongoServer.info.version} from STOWAGE_TEST_MONGO_URL (${redact(mongoServer.url)})`
          : `MongoDB protocol: started ${mongoServer.info.version} (${mongoServer.started?.details}) at ${redact(mongoServer.url)}`,
      );
      const missing = Object.entries(caps.supports)
        .filter(([, ok]) => !ok)
        .map(([feature]) => feature);
      log(
        `MongoDB protocol capabilities: replicaSet=${caps.replicaSet}; unsupported: ${missing.length > 0 ? missing.join(', ') : 'none'}`,
      );
      project.provide('stowageMongoUrl', mongoServer.url);
      project.provide('stowageMongoServer', mongoServer.info);
      project.provide('stowageMongoCapabilities', caps);
    }
  } catch (error) {
    await stopAll();
    detach();
    throw error;
  }

  return async () => {
    const names = started.map((s) => s.version).join(' and ');
    await stopAll();
    detach();
    if (names) log(`stopped ${names}`);
  };
}
