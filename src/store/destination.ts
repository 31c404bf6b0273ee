import { stat } from 'node:fs/promises';
import type { ByteSink } from '../archive/byte-sink.js';
import type { ByteSource } from '../archive/byte-source.js';
import { StowageError, UsageError } from '../errors.js';
import { localStore } from './local/local-store.js';
import { openRepository, type RepositoryOptions, resolveArchiveRef } from './open-repository.js';
import { storeFor } from './registry.js';
import type { Repository } from './repository.js';
import { StdoutSink } from './stdout-sink.js';

/** Where a backup goes, resolved but not yet opened. */
export interface Destination {
  /** The repository that will hold the archive; undefined for stdout. The caller closes it. */
  repository?: Repository;
  /** The archive's name in the repository. */
  name?: string;
  /** True when `to` named a repository and the archive got a generated name (scheduled-style backups). */
  generated: boolean;
  /** Opens the sink the archive is written to. */
  open(): Promise<ByteSink>;
}

/**
 * Resolves a `--to` argument: `-` is stdout, a location ending in `.stow`
 * (a path or `s3://…/NAME.stow`) is that archive, anything else is a
 * repository (local folder, `s3://bucket/prefix`…) where the archive gets a
 * generated name.
 */
export async function resolveDestination(
  to: string,
  generatedName: (sequence: number) => string,
  options: RepositoryOptions = {},
): Promise<Destination> {
  if (to === '-') return { generated: false, open: async () => new StdoutSink() };
  // Only a local path can be an existing folder or file; other stores' addresses are taken as written.
  const local = storeFor(to) === localStore;
  if (to.endsWith('.stow') && (!local || !(await isDirectory(to)))) {
    const { repository, name } = await resolveArchiveRef(to, options);
    return { repository, name, generated: false, open: () => repository.createArchive(name) };
  }
  if (local && (await isFile(to))) {
    throw new UsageError(
      `--to ${to} is an existing file, not a repository folder or a new archive`,
      'give a folder to keep archives in, a new NAME.stow path, or - for stdout',
    );
  }
  const repository = await openRepository(to, options);
  const destination: Destination = {
    repository,
    name: generatedName(1),
    generated: true,
    // Generated names carry the time to the second: a further backup of the same database within
    // the same second, finished or still running, gets the next sequence number instead of failing
    // with "already exists" or sharing the other one's file.
    async open() {
      for (let sequence = 1; ; sequence++) {
        const name = generatedName(sequence);
        try {
          const sink = await repository.createArchive(name);
          destination.name = name;
          return sink;
        } catch (err) {
          if (sequence >= MAX_NAME_SEQUENCE || !(err instanceof StowageError) || err.code !== 'exists')
            throw err;
        }
      }
    },
  };
  return destination;
}

/** Backups of one database in one second before a generated name gives up. */
const MAX_NAME_SEQUENCE = 99;

/** Opens an archive (local path or `s3://…/NAME.stow`) for random-access reading; closing the source releases everything. */
export async function openArchiveSource(
  ref: string,
  options: RepositoryOptions & { sequential?: boolean } = {},
): Promise<ByteSource> {
  const { repository, name } = await resolveArchiveRef(ref, options);
  const source = await closeOnFailure(
    repository,
    repository.openArchive(name, { sequential: options.sequential }),
  );
  return {
    get size() {
      return source.size;
    },
    location: source.location,
    read: (offset, length) => source.read(offset, length),
    async close() {
      await source.close();
      await repository.close();
    },
  };
}

async function closeOnFailure<T>(repository: Repository, opening: Promise<T>): Promise<T> {
  try {
    return await opening;
  } catch (err) {
    await repository.close();
    throw err;
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => !s.isDirectory(),
    () => false,
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
