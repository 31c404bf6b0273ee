import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { type Built, LazySchemas } from '../schema-check/lazy-schemas.js';
import { makeFolder } from '../store/local/make-folder.js';
import type { Repository } from '../store/repository.js';
import { safeName } from './naming.js';

/**
 * The outcome of the latest backup run of one database in a repository,
 * kept in `.stowage/runs/<database>.json`. A failed run leaves no archive, so
 * without this record `status` could not tell "failed last night" from
 * "nothing scheduled". Built on first use (lazy-schemas.ts): a backup
 * reads and writes its record without loading zod.
 */
export const runRecordSchemas = new LazySchemas((z) => ({
  RunRecord: z.object({
    /** The database key: the database part of archive names. */
    database: z.string(),
    status: z.enum(['success', 'failure', 'interrupted']),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    /** The archive written, on success. */
    archive: z.string().optional(),
    bytes: z.number().int().nonnegative().optional(),
    /** One-line error, passwords removed, on failure. */
    error: z.string().optional(),
    /** The daemon job that ran it, when it was the daemon. */
    job: z.string().optional(),
    /** The last successful run, carried over so a failure does not hide it. */
    lastSuccessAt: z.iso.datetime().optional(),
  }),
}));

export type RunRecord = z.infer<Built<typeof runRecordSchemas>['RunRecord']>;

const RUNS_FOLDER = '.stowage/runs';

function runRecordName(database: string): string {
  return `${RUNS_FOLDER}/${safeName(database)}.json`;
}

/** The latest run record of a database, or undefined (none, or unreadable: it is advisory). */
export async function readRunRecord(
  repository: Repository,
  database: string,
): Promise<RunRecord | undefined> {
  const text = await repository.readText(runRecordName(database));
  return text === undefined ? undefined : await parseRunRecord(text);
}

/** Records a run, keeping `lastSuccessAt` across failures. */
export async function writeRunRecord(repository: Repository, record: RunRecord): Promise<void> {
  const previous = await readRunRecord(repository, record.database).catch(() => undefined);
  const lastSuccessAt =
    record.status === 'success' ? record.finishedAt : (previous?.lastSuccessAt ?? record.lastSuccessAt);
  const full: RunRecord = {
    ...record,
    database: safeName(record.database),
    ...(lastSuccessAt ? { lastSuccessAt } : {}),
  };
  await repository.writeText(runRecordName(record.database), `${JSON.stringify(full, null, 2)}\n`);
}

/**
 * Records a run in the repository; when that fails (disk full, S3 down: often
 * the very reason the run failed), records it in a local fallback folder
 * instead (see {@link localRunsFolder}), which `status` on this machine reads
 * too, so an older success in the repository never poses as the last run.
 *
 * @returns a warning line when the repository record could not be written, else undefined. Never throws.
 */
export async function recordRun(repository: Repository, record: RunRecord): Promise<string | undefined> {
  try {
    await writeRunRecord(repository, record);
    return undefined;
  } catch (err) {
    const why = (err as Error).message?.split('\n')[0];
    const folder = localRunsFolder(repository.url);
    try {
      const previous = (await readLocalRunRecords(repository.url)).get(safeName(record.database));
      const lastSuccessAt =
        record.status === 'success' ? record.finishedAt : (previous?.lastSuccessAt ?? record.lastSuccessAt);
      const full = {
        ...record,
        database: safeName(record.database),
        ...(lastSuccessAt ? { lastSuccessAt } : {}),
      };
      await makeFolder(folder, 0o700);
      const path = join(folder, `${safeName(record.database)}.json`);
      const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, path);
      return `could not write the run record to ${repository.url} (${why}); kept it in ${folder}`;
    } catch (localErr) {
      return `could not write the run record to ${repository.url} (${why}) nor locally (${(localErr as Error).message}): status may show an older run`;
    }
  }
}

/**
 * Where run records that could not be written to a repository are kept on
 * this machine: `$XDG_STATE_HOME/stowage/runs/<hash of the repository URL>`
 * (default `~/.local/state/...`).
 */
export function localRunsFolder(repositoryUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const id = createHash('sha256').update(repositoryUrl).digest('hex').slice(0, 16);
  return join(state, 'stowage', 'runs', id);
}

async function readLocalRunRecords(repositoryUrl: string): Promise<Map<string, RunRecord>> {
  const out = new Map<string, RunRecord>();
  const folder = localRunsFolder(repositoryUrl);
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const text = await readFile(join(folder, name), 'utf8').catch(() => undefined);
    const record = text === undefined ? undefined : await parseRunRecord(text);
    if (record) out.set(record.database, record);
  }
  return out;
}

/**
 * Every run record of the repository, by database key: the repository's, or
 * this machine's fallback record when that one is newer (a run whose record
 * could not reach the repository). Unreadable records are skipped: they are advisory.
 */
export async function readAllRunRecords(repository: Repository): Promise<Map<string, RunRecord>> {
  const out = new Map<string, RunRecord>();
  for (const file of await repository.listFiles(RUNS_FOLDER)) {
    if (!file.name.endsWith('.json')) continue;
    const text = await repository.readText(`${RUNS_FOLDER}/${file.name}`).catch(() => undefined);
    const record = text === undefined ? undefined : await parseRunRecord(text);
    if (record) out.set(record.database, record);
  }
  for (const [database, local] of await readLocalRunRecords(repository.url)) {
    const shared = out.get(database);
    if (!shared || Date.parse(local.finishedAt) > Date.parse(shared.finishedAt)) {
      const lastSuccessAt = [shared?.lastSuccessAt, local.lastSuccessAt].filter(Boolean).sort().pop();
      out.set(database, { ...local, ...(lastSuccessAt ? { lastSuccessAt } : {}) });
    }
  }
  return out;
}

/**
 * Forgets a database's run records, in the repository and in this machine's
 * fallback folder: for a database that is no longer backed up (or a record
 * that should never have been written), which would otherwise fail `status`
 * forever. Archives are not touched.
 *
 * @returns whether there was anything to forget.
 */
export async function forgetRunRecords(repository: Repository, database: string): Promise<boolean> {
  const key = safeName(database);
  const inRepository = (await repository.readText(runRecordName(key))) !== undefined;
  await repository.remove(runRecordName(key));
  const localPath = join(localRunsFolder(repository.url), `${key}.json`);
  const local = await readFile(localPath).then(
    () => true,
    () => false,
  );
  await rm(localPath, { force: true });
  return inRepository || local;
}

async function parseRunRecord(text: string): Promise<RunRecord | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = await runRecordSchemas.safeParse('RunRecord', value);
  return parsed.success ? parsed.data : undefined;
}
