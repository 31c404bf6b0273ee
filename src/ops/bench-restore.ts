import type { EngineName } from '../engines/engine.js';
import { countUnits } from '../engines/nouns.js';
import type { ScratchPlan } from '../engines/plugin.js';
import { enginePlugin } from '../engines/registry.js';
import { StowageError } from '../errors.js';
import type { ProgressEvent, ProgressListener } from '../progress.js';
import { redactUrl } from '../redact.js';
import { scrub } from './backup.js';
import { isDataStream } from './content-check.js';
import { inspectTarget } from './database-probe.js';
import { restore } from './restore.js';
import { dropScratchDatabases } from './scratch-cleanup.js';
import { type UnitThroughput, unitThroughput } from './unit-throughput.js';

/**
 * `stowage bench --restore-into`: restores what the bench read (a temporary
 * archive of it) into a scratch database, timed per table/collection and in
 * total, then drops the scratch database. Like `verify --restore-test`, the
 * scratch database must not exist (PostgreSQL: the restore creates it) or,
 * for MongoDB, hold no collection, so a mistyped production URL is refused
 * before anything is read or written; nothing else on the server is touched.
 */

/** One table or collection restored: its time is its data load (indexes are in the total). */
export type UnitRestoreBench = UnitThroughput;

export interface RestoreBench {
  /** The scratch database, password removed. */
  target: string;
  units: UnitRestoreBench[];
  /** The whole restore: schema, data, indexes and constraints. */
  total: { rows: number; bytes: number; seconds: number; rowsPerSecond: number; bytesPerSecond: number };
}

/**
 * Refuses a scratch database that exists (PostgreSQL) or holds collections
 * (MongoDB). `dataStreams`: the sample's data streams, once known (MongoDB
 * maps several archived databases to several scratch ones).
 */
export async function checkScratch(
  engine: EngineName,
  scratch: string,
  dataStreams: string[] = [],
): Promise<ScratchPlan> {
  const plan = enginePlugin(engine).scratchPlan(scratch, dataStreams);
  for (const url of plan.databases) {
    const contents = await inspectTarget(url);
    // An existing PostgreSQL database is the user's even when empty: it is not ours to drop.
    if (contents.objects > 0 || (engine === 'postgres' && contents.exists)) {
      const what = contents.objects
        ? `holds ${countUnits(engine, contents.objects)}, e.g. ${contents.sample.join(', ')}`
        : 'exists';
      throw new StowageError(
        'scratch-not-empty',
        `scratch database ${redactUrl(url)} ${what}: refusing to restore into it and drop it`,
        'name a database that does not exist; bench creates it and drops it afterwards',
      );
    }
  }
  return plan;
}

/** Restores the archive at `archive` into `scratch`, timed; drops the scratch database after. */
export async function restoreSample(request: {
  archive: string;
  scratch: string;
  engine: EngineName;
  /** The sample's stream names. */
  streams: string[];
  unitOfStream: (stream: string) => string;
  /** Some tables were read in part: their rows need not satisfy the foreign keys between them. */
  sampled: boolean;
  jobs: number;
  onProgress: ProgressListener;
  signal?: AbortSignal;
}): Promise<RestoreBench> {
  const { scratch, onProgress: progress } = request;
  const dataStreams = request.streams.filter(isDataStream);
  const plan = await checkScratch(request.engine, scratch, dataStreams);
  // Progress names streams (PostgreSQL) or the collections as written (MongoDB, renamed into the scratch).
  const unitOf = new Map<string, string>();
  for (const s of dataStreams) {
    const unit = request.unitOfStream(s);
    unitOf.set(s, unit);
    unitOf.set(plan.rename(unit), unit);
  }
  const loads = new Map<string, { rows: number; bytes: number; first: number; last: number }>();
  const starts = new Map<string, number>();
  const listen = (event: ProgressEvent) => {
    if (event.type === 'unit-start') starts.set(event.name, performance.now());
    else if (event.type === 'unit-done') {
      const unit = unitOf.get(event.name) ?? event.name;
      const now = performance.now();
      const l = loads.get(unit) ?? { rows: 0, bytes: 0, first: Infinity, last: 0 };
      l.rows += event.items;
      l.bytes += event.bytes;
      l.first = Math.min(l.first, starts.get(event.name) ?? now);
      l.last = Math.max(l.last, now);
      loads.set(unit, l);
    }
    progress(event);
  };
  const target = redactUrl(scratch);
  const started = performance.now();
  try {
    progress({ type: 'phase', phase: 'bench', message: `restoring the sample into ${target}` });
    await restore({
      archive: request.archive,
      target: plan.restoreUrl,
      jobs: request.jobs,
      engineOptions: {
        ...plan.restoreOptions,
        ...(request.sampled && request.engine === 'postgres' ? { foreignKeysNotValid: true } : {}),
      },
      onProgress: listen,
      signal: request.signal,
      safetyBackup: false,
    });
  } catch (err) {
    throw scrub(err, scratch);
  } finally {
    await dropScratchDatabases(plan.databases, 'bench', progress);
  }
  const seconds = (performance.now() - started) / 1000;
  const units = [...loads.entries()].map(([unit, l]) =>
    unitThroughput(unit, l.rows, l.bytes, l.first, l.last),
  );
  const rows = units.reduce((n, u) => n + u.rows, 0);
  const bytes = units.reduce((n, u) => n + u.bytes, 0);
  return {
    target,
    units,
    total: {
      rows,
      bytes,
      seconds,
      rowsPerSecond: seconds > 0 ? rows / seconds : 0,
      bytesPerSecond: seconds > 0 ? bytes / seconds : 0,
    },
  };
}
