// Last resort for the global setup: servers in Docker through testcontainers,
// used only when no local binaries can be started. testcontainers is loaded
// lazily so machines without Docker never pay for (or log from) it.
import { randomBytes } from 'node:crypto';
import type { StartedServer } from './local-servers.js';

let answers: Promise<boolean> | undefined;

/** Whether a Docker (or compatible) engine answers. */
export function dockerAnswers(): Promise<boolean> {
  answers ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  })();
  return answers;
}

export async function startPostgresContainer(): Promise<StartedServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const password = randomBytes(12).toString('hex');
  const container = await new GenericContainer('postgres:16')
    .withEnvironment({
      POSTGRES_PASSWORD: password,
      POSTGRES_HOST_AUTH_METHOD: 'scram-sha-256',
      POSTGRES_INITDB_ARGS: '--auth=scram-sha-256',
    })
    .withCommand([
      'postgres',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ])
    .withExposedPorts(5432)
    // The image's entrypoint starts the server twice (init, then for real).
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(180_000)
    .start();
  const url = `postgres://postgres:${password}@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
  return {
    url,
    version: 'PostgreSQL 16 (postgres:16 container)',
    details: `container ${container.getId().slice(0, 12)}`,
    async stop() {
      await container.stop();
    },
    // testcontainers' reaper removes the container once this process is gone.
    stopSync() {},
  };
}

export async function startMongoContainer(): Promise<StartedServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('mongo:7')
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
    .withStartupTimeout(180_000)
    .start();
  const url = `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/`;
  return {
    url,
    version: 'MongoDB 7 (mongo:7 container)',
    details: `container ${container.getId().slice(0, 12)}`,
    async stop() {
      await container.stop();
    },
    stopSync() {},
  };
}
