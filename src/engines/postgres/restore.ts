import type { Readable } from 'node:stream';
// The I/O callbacks waiting now (a connection's handshake, say) run before planning goes on.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { StowageError } from '../../errors.js';
import { garbagePoint } from '../../garbage-points.js';
import { longStep } from '../../long-step.js';
import { runSchedule, WiredSchedule } from '../../scheduler/scheduler.js';
import type { EngineRestoreRequest, EngineRestoreResult, StreamSummary } from '../engine.js';
import { counted, countUnits } from '../nouns.js';
import { applyBatch, applyObjects, applyOne, type BatchOptions, terminated } from './apply-ddl.js';
import { defaultPrivilegeResets } from './clean-default-privileges.js';
import { PgSession, parseTarget } from './connect.js';
import { CopyInBatch, CopyInBatchError } from './copy-in-batch.js';
import { dataOnlyLoadGroups, requireTables } from './data-only.js';
import { foldColumnDefaults, withFoldedDefaults } from './fold-defaults.js';
import { qualify } from './ident.js';
import { withoutInitdbPublicComment } from './initdb-public-comment.js';
import { loadLargeObjects } from './large-objects.js';
import { copyInStatement, loadTableCopy } from './load-copy.js';
import { loadTableInsert } from './load-insert.js';
import { type PgObject, type PgTableData, parsePostgresSchema } from './model.js';
import { isNoOpOwnerChange } from './no-op-owner.js';
import type { PostgresRestoreOptions } from './options.js';
import { withChanges } from './packed-object.js';
import { findPreinstalledTypes } from './preinstalled.js';
import { prerequisitesOf, requirePrerequisites } from './prerequisites.js';
import { databasePropertyStatements } from './restore-database-properties.js';
import { describeGlobals, restoreGlobals } from './restore-globals.js';
import { RestoreLedger } from './restore-ledger.js';
import {
  BATCH_WEIGHT,
  planRestore,
  type RestorePlan,
  RestoreSchedule,
  type RestoreTask,
  type RestoreWork,
} from './restore-plan.js';
import { mapDropRoles, mapObjectRoles, mapStatementRole } from './role-map.js';
import { readServerInfo } from './server-info.js';
import {
  existingTables,
  openTarget,
  requireEmptyTarget,
  startConnecting,
  type TargetConnecting,
} from './target.js';
import { abortReason, TargetCreation, withCreationNote } from './target-creation.js';
import { fitToServer } from './target-version.js';

/**
 * Heap in use from which the garbage points before the schedule's planning and after its wiring
 * collect: a 20,000-table restore is at ~50–70 MB at each (under the settled points' default of
 * 64 MiB in some runs, over it in others: the schedule was then planned and wired on top of the
 * folding's garbage), one of 3,000 tables at ~18–27, which pays nothing.
 */
const PLANNED_COLLECT_FROM = 32 * 1024 * 1024;

/** Most post-data objects sent to the server in one query. */
const BATCH_OBJECTS = 64;

/**
 * Settings for every restore session, as pg_restore uses them: names in the
 * archived DDL are all qualified, so an empty search_path; function bodies
 * are not checked at creation (they may reference objects created later);
 * row security off so a load that RLS would filter fails loudly instead.
 */
const RESTORE_SETTINGS: Record<string, string> = {
  search_path: '',
  check_function_bodies: 'false',
  client_min_messages: 'warning',
  standard_conforming_strings: 'on',
  DateStyle: 'ISO',
  IntervalStyle: 'postgres',
  extra_float_digits: '3',
  row_security: 'off',
  default_tablespace: '',
};

/** The settings of every session of a restore with `options`. */
function restoreSettings(options: PostgresRestoreOptions): Record<string, string> {
  return {
    ...RESTORE_SETTINGS,
    ...(options.disableTriggers ? { session_replication_role: 'replica' } : {}),
  };
}

/**
 * Starts connecting to the target of a restore before its archive is read: the connection's
 * round trips and authentication then overlap opening the archive and loading its schema.
 */
export function startRestorePostgres(
  url: string,
  options: PostgresRestoreOptions,
  signal?: AbortSignal,
): TargetConnecting {
  return startConnecting(url, { create: !!options.create, settings: restoreSettings(options), signal });
}

/**
 * Restores a backup: pre-data in dependency order, then table data on `jobs`
 * connections (biggest tables first), sequence values, then post-data with
 * index and constraint builds in parallel, then owners and grants (unless
 * `owner: false` / `acl: false`) and, for a database it created, the archived
 * database's properties. The roles and extensions all that needs are checked
 * before anything is written (prerequisites.ts). What to do is planned from the
 * archive alone (restore-plan.ts); this runs the plan against the target.
 */
export async function restorePostgres(
  request: EngineRestoreRequest<PostgresRestoreOptions>,
): Promise<EngineRestoreResult> {
  const options = request.options ?? {};
  const { progress, signal } = request;
  const settings = restoreSettings(options);
  // Connecting to the target runs while the archive's schema is parsed and the restore planned,
  // or began before the archive was opened (startRestorePostgres).
  const connecting =
    (request.started as TargetConnecting | undefined) ?? startRestorePostgres(request.url, options, signal);
  /** --create: CREATE DATABASE runs on the server while the rest is planned (target-creation.ts). */
  let creation: TargetCreation | undefined;
  /**
   * With a creation to undo, an interrupt or stall is reported as what it is, not as the cancelled
   * statement's error; an error that reports it already (with what it left) stays as it is.
   */
  const stoppedBy = (err: unknown) => {
    if (!creation || !signal?.aborted) return err;
    const reason = abortReason(signal);
    return err instanceof StowageError && err.code === reason.code ? err : reason;
  };
  let planned: Awaited<ReturnType<typeof planTarget>>;
  try {
    planned = await planTarget(request, options, (schema) => {
      if (options.create && schema.contents !== 'globals')
        creation = new TargetCreation(
          connecting.session,
          parseTarget(request.url),
          { encoding: schema.database.encoding, locale: schema.database.properties },
          signal,
        );
    });
  } catch (err) {
    await connecting.dispose();
    throw withCreationNote(stoppedBy(err), await creation?.undo());
  }
  if (!planned.plan) {
    await connecting.dispose();
    return restoreGlobalsOnly(request, planned.schema, planned.warnings);
  }
  const { schema, warnings, plan } = planned;
  const { dataOnly, ownership, selection, tables, sequences, largeObjects, postData, eventTriggers } = plan;
  const summaries = plan.streams;

  progress({ type: 'phase', phase: 'connect' });
  const properties = schema.database.properties;
  let opened: Awaited<ReturnType<typeof openRestoreTarget>>;
  try {
    opened = await openRestoreTarget(request, planned, connecting, creation, settings);
  } catch (err) {
    throw withCreationNote(stoppedBy(err), await creation?.undo());
  }
  const { main, created, prepared } = opened;
  const sessions: PgSession[] = [main];
  /** The other workers' sessions, connecting meanwhile (settled before the restore returns). */
  let opening: Promise<PromiseSettledResult<PgSession>[]> = Promise.resolve([]);
  const ledger = new RestoreLedger();
  const items: Record<string, number> = {};
  let stoppedBeforeWrite: unknown;
  /** Past the last refusal: the target holds (or is about to hold) what the restore wrote. */
  let writing = false;
  /** What the scheduler stopped with: the first of a task's failure and the signal. */
  let scheduleFailure: unknown;
  try {
    const run: RestoreRun = { request, options, schema, plan, warnings, ledger, main, created };
    const { server, insert, jobs, objects, preData } = await checkTarget(run, prepared);
    // Extensions the target cannot install were refused by prepare (prerequisites.ts), before anything.
    if (request.beforeWrite) {
      // Without --clean or --data-only the target was found empty: nothing of it is replaced.
      const replaced =
        created || !(options.clean || dataOnly) ? [] : await existingTables(main, selection.tables);
      await request
        .beforeWrite({
          units: selection.tables.map((t) => qualify(t.schema, t.name)),
          replaced: replaced.map((t) => qualify(t.schema, t.name)),
          backupOptions: { includeTables: replaced.map((t) => qualify(t.schema, t.name)) },
        })
        .catch((err: unknown) => {
          stoppedBeforeWrite = err;
          throw err;
        });
    }
    // From here on the database holds what the restore wrote: a failure leaves it, as pg_restore
    // does, unless this run created it (onWriteBegun: the caller drops it).
    signal?.throwIfAborted();
    writing = true;
    void creation?.keep();
    if (created || !options.singleTransaction)
      request.onWriteBegun?.({
        database: main.target.database,
        created,
        startOver: 'pass --clean --yes to replace what was applied (or restore into a new database)',
      });

    ledger.plan('pre-data', preData.filter((o) => o.sql.length).length, 'objects');
    ledger.plan('data', tables.length, 'tables');
    ledger.plan('large objects', largeObjects?.count ?? 0, 'large objects');
    ledger.plan('sequences', sequences.length, 'sequences');
    ledger.plan('post-data', postData.length + eventTriggers.length, 'objects');

    if (options.singleTransaction) {
      await main.query('BEGIN', [], 'starting the restore transaction');
      ledger.singleTransaction = true;
    }
    const batch = !options.singleTransaction;

    if (options.clean) await cleanTarget(run, objects, batch);

    if (jobs > 1 && (tables.length > 1 || postData.length > 1)) {
      // The other workers connect while pre-data runs on this session: connecting costs round trips and an authentication.
      opening = Promise.allSettled(
        Array.from({ length: jobs - 1 }, async () => {
          const session = await PgSession.open(main.target, { mode: 'restore', settings, signal });
          sessions.push(session);
          return session;
        }),
      );
    }

    // Data-only into tables with foreign keys: parents before children (unless triggers are off).
    // Asked of the target here: a data-only restore has no pre-data to overlap it with.
    const groups =
      dataOnly && !options.disableTriggers && tables.length
        ? await dataOnlyLoadGroups(main, tables, warnings)
        : undefined;

    // Nothing to create (data only): the garbage point createPreData says after its folding is here.
    if (!preData.length) garbagePoint('pre-data', { settled: true, fromHeapBytes: PLANNED_COLLECT_FROM });
    const creating = preData.length ? createPreData(run, preData, batch) : Promise.resolve();
    // The folding and its collection held the event loop for a second or more on a loaded machine:
    // the other workers' connections (opening since before it) get through their round trips first.
    await nextTurn();

    // Planned while the first pre-data batch runs (half a second of client CPU at 20,000 tables,
    // which used to wait for the last CREATE and then hold back the first COPY).
    const steps = scheduledWork(run, insert, items);
    // One function for every task, called as the task's method: a closure per task (and its
    // context) was 7.5 MB at 20,000 tables (80,000 tasks), for the whole restore.
    const runTask = function (this: RestoreTask, session: PgSession) {
      return steps.perform(this.work, session);
    };
    const wiring = longStep('planning the schedule', () => {
      const tasks = new RestoreSchedule(plan, schema.partitions, groups, runTask);
      // Wired now, not when the data phase starts: wiring 80,000 tasks (20,000 tables) made as many
      // task objects, ids and lock lists, and a map of every id, on top of the data phase's start.
      return { loadStreams: tasks.loadStreamsInStartOrder(), wired: new WiredSchedule(tasks, batch) };
    });
    const { loadStreams } = wiring;
    let schedule: WiredSchedule<PgSession> | undefined = wiring.wired;
    await nextTurn();
    // The schedule's planning and wiring left their garbage while the pre-data runs on the server:
    // the data phase starts from what is live, the pages this garbage took given back.
    garbagePoint('schedule wired', { settled: true, fromHeapBytes: PLANNED_COLLECT_FROM });
    await creating;

    const workers = [main];
    for (const e of await opening) {
      if (e.status === 'rejected') throw e.reason;
      workers.push(e.value);
    }
    const stopAll = () => {
      for (const s of sessions) s.destroy();
    };

    if (tables.length || largeObjects) {
      const description = `${countUnits('postgres', tables.length)}${largeObjects ? ` and ${counted(largeObjects.count, 'large object')}` : ''}`;
      progress({
        type: 'phase',
        phase: 'data',
        message: `loading ${description}${insert ? ' with INSERT' : ''}`,
      });
      progress({
        type: 'plan',
        units: [...(largeObjects ? [largeObjects.stream] : []), ...loadStreams].map((stream) => ({
          name: stream,
          estimatedItems: summaries.get(stream)?.items,
          estimatedBytes: summaries.get(stream)?.rawBytes,
        })),
        summary: description,
      });
      ledger.planParts(tables.reduce((n, t) => n + t.streams.length, 0));
    }

    const scheduled = runSchedule(schedule, workers, {
      signal,
      onFailure: options.singleTransaction ? undefined : stopAll,
      // In the restore's one transaction a failed batch could not be replayed to name its culprit.
      ...(options.singleTransaction
        ? {}
        : {
            // The scheduler hands back the tasks given to it: each has its work.
            runBatch: (tasks, session) =>
              steps.performBatch(
                tasks.map((t) => (t as unknown as RestoreTask).work),
                session,
              ),
            batchLimit: { tasks: BATCH_OBJECTS, weight: BATCH_WEIGHT },
          }),
    }).catch((err: unknown) => {
      scheduleFailure = err;
      throw err;
    });
    // The scheduler holds the schedule to its end; this frame lives to the end of the restore.
    schedule = undefined;
    await scheduled;

    if ((ownership.owner || ownership.acl) && !dataOnly)
      await restoreOwnership(run, objects, server.role, batch);
    if (eventTriggers.length) await createEventTriggers(run, batch);
    if (options.create && !dataOnly && properties) await setDatabaseProperties(run, properties);

    if (options.singleTransaction) await main.query('COMMIT', [], 'committing the restore');
    progress({ type: 'phase', phase: 'done' });
    return { database: main.target.database, items, warnings };
  } catch (err) {
    // Decided as the failure arrives: a signal during the cleanup below (DROP DATABASE may wait
    // seconds) or while the scheduler's other tasks wound down did not cause it.
    const cancelled = signal?.aborted === true && (err !== scheduleFailure || err === signal.reason);
    if (creation && !writing) {
      // Refused or stopped before anything was written: the database this run created goes again
      // (its sessions first: DROP DATABASE waits for them to leave).
      await opening;
      await Promise.all(sessions.map((s) => s.close()));
      const note = await creation.undo();
      throw withCreationNote(
        cancelled && signal
          ? abortReason(signal)
          : err === stoppedBeforeWrite
            ? err
            : restoreFailure(err, ledger, cancelled, dataOnly, signal),
        note,
      );
    }
    // Declined or failed before anything was written: the caller's own error, as it is.
    if (err === stoppedBeforeWrite) throw err;
    throw restoreFailure(err, ledger, cancelled, dataOnly, signal);
  } finally {
    await opening;
    await Promise.all(sessions.map((s) => s.close()));
    await creation?.keep();
  }
}

type PlannedRestore = Extract<Awaited<ReturnType<typeof planTarget>>, { plan: RestorePlan }>;

/** What the steps of one restore share: the request, what was planned from the archive, and the target. */
interface RestoreRun {
  request: EngineRestoreRequest<PostgresRestoreOptions>;
  options: PostgresRestoreOptions;
  schema: PlannedRestore['schema'];
  plan: RestorePlan;
  warnings: string[];
  ledger: RestoreLedger;
  /** The session on the target database (the first worker). */
  main: PgSession;
  /** Whether this restore created the target database. */
  created: boolean;
}

const keyOf = (t: PgTableData) => qualify(t.schema, t.name);

/**
 * Opens the target (creating it with --create) and, before anything is applied, fits the plan to
 * the server's version, creates missing globals when asked and checks the prerequisites.
 */
async function openRestoreTarget(
  request: EngineRestoreRequest<PostgresRestoreOptions>,
  { schema, warnings, plan, needs }: PlannedRestore,
  connecting: ReturnType<typeof startConnecting>,
  creation: TargetCreation | undefined,
  settings: Record<string, string>,
) {
  const options = request.options ?? {};
  const { progress, signal } = request;
  const { ownership, selection, tables, sequences, postData, eventTriggers } = plan;
  /** The server as prepare saw it: the same server, role and settings as the target session's. */
  let prepared: { info: Awaited<ReturnType<typeof readServerInfo>>; on: PgSession } | undefined;
  const { session: main, created } = await openTarget(
    request.url,
    {
      connecting,
      creation,
      settings,
      signal,
      prepare: async (session) => {
        // Before anything is applied (roles included): objects the target's version cannot hold are refused, or skipped when asked.
        prepared = { info: await readServerInfo(session), on: session };
        const fit = fitToServer(
          schema.server.versionNum,
          prepared.info.versionNum,
          { selection, objectLists: [plan.preData, postData, eventTriggers], tables, sequences },
          { skip: !!options.skipMissingFeatures, owner: ownership.acl },
          warnings,
        );
        if (fit.pair)
          progress({ type: 'phase', phase: 'connect', message: `restoring across versions: ${fit.pair}` });
        let globalsDone: string | undefined;
        if (options.globals && schema.globals) {
          progress({ type: 'phase', phase: 'globals', message: 'creating missing roles and tablespaces' });
          globalsDone = describeGlobals(
            await restoreGlobals(session, schema.globals, {
              matching: options.globalsMatching,
              alterExisting: options.alterExistingRoles,
            }),
          );
          warnings.push(globalsDone);
        }
        try {
          await requirePrerequisites(session, needs);
        } catch (err) {
          if (!globalsDone || !(err instanceof StowageError)) throw err;
          // The roles and tablespaces were created all the same: say so.
          throw new StowageError(err.code, `${err.message} (but ${globalsDone})`, err.hint, { cause: err });
        }
      },
    },
    warnings,
  );
  return { main, created, prepared };
}

/**
 * The target as the restore finds it: its server, how rows are loaded and on how many sessions,
 * and what of the plan is left once base types already installed there are kept. Refuses a
 * target that is not empty (unless --clean or --data-only) or lacks a data-only restore's tables.
 */
async function checkTarget(
  { request, options, plan, warnings, main, created }: RestoreRun,
  prepared: Awaited<ReturnType<typeof openRestoreTarget>>['prepared'],
) {
  const { dataOnly, selection, tables } = plan;
  // prepare ran on this session, or on the maintenance session of the same server just before
  // creating this database (which no per-database setting can have reached yet): no second question.
  const server =
    prepared && (prepared.on === main || created)
      ? { ...prepared.info, database: main.target.database }
      : await readServerInfo(main);
  const insert =
    options.insertMode === 'insert' || ((options.insertMode ?? 'auto') === 'auto' && server.pglite);
  // PGlite serves every connection from one backend: parallel sessions only queue.
  const jobs = options.singleTransaction || server.pglite ? 1 : Math.max(1, request.jobs | 0);

  // Base types the user installed in the target beforehand (as older backups asked) stay as they are.
  const preinstalled = created || dataOnly ? undefined : await findPreinstalledTypes(main, selection.objects);
  const kept = preinstalled?.objectIds;
  if (preinstalled) warnings.push(...preinstalled.warnings);
  // Kept to the end of the restore: a copy of the plan's lists (100,000 and 40,000 objects at
  // 20,000 tables) only when something was left out of them.
  const objects = kept?.size ? selection.objects.filter((o) => !kept.has(o.id)) : selection.objects;
  const preData = kept?.size ? plan.preData.filter((o) => !kept.has(o.id)) : plan.preData;
  if (!created && !options.clean && !dataOnly) await requireEmptyTarget(main, preinstalled?.functionOids);
  if (dataOnly) await requireTables(main, tables);
  return { server, insert, jobs, objects, preData };
}

/** --clean: drops the archived objects (or, with --data-only, empties the tables) before anything is created. */
async function cleanTarget(
  { request, options, schema, plan, warnings, main }: RestoreRun,
  objects: PgObject[],
  batch: boolean,
) {
  const { progress } = request;
  const { dataOnly, ownership, tables } = plan;
  progress({
    type: 'phase',
    phase: 'clean',
    message: dataOnly ? 'emptying the tables' : 'dropping the archived objects',
  });
  if (dataOnly) {
    const whole = tables.filter((t) => !t.filter);
    if (whole.length) {
      await main.query(
        `TRUNCATE TABLE ${whole.map((t) => `ONLY ${qualify(t.schema, t.name)}`).join(', ')}`,
        [],
        'emptying the tables (--clean)',
      );
    }
  } else {
    const drops = [...objects].reverse();
    await applyObjects(main, drops, {
      batch,
      statements: (o) => {
        const drop = mapDropRoles(o, ownership.mapRoles);
        return drop ? [drop] : [];
      },
      onApplied: () => {},
      doing: (what) => `dropping ${what} (--clean)`,
    });
    if (ownership.acl) {
      // The archive's default privileges replace the target's, which no drop above reaches.
      const resets = await defaultPrivilegeResets(main, {
        schemas: objects.filter((o) => o.kind === 'schema').map((o) => o.name),
        global: !filtered(options) && !schema.partial,
      });
      for (const sql of resets.statements)
        await main.query(sql, [], 'resetting default privileges (--clean)');
      if (resets.outOfReach.length)
        warnings.push(
          `default privileges of ${resets.outOfReach.join(', ')} left as the target had them (--clean): the restoring user is not a member of ${resets.outOfReach.length === 1 ? 'that role' : 'those roles'}`,
        );
    }
  }
  await emptyExtensionConfigTables(main, tables);
}

/**
 * Sends the pre-data and returns when it is done. Not awaited at once: the first batch is on
 * its way (sent within this call), and the data and post-data are planned below while the
 * server creates it. A function of its own, so the folded statements (copies of every CREATE
 * TABLE) are not held in this frame, which lives to the end of the restore. Folded here, not
 * while planning: prepare has fitted the statements to the target's version by now.
 */
function createPreData(
  { request, plan, ledger, main }: RestoreRun,
  preData: PgObject[],
  batch: boolean,
): Promise<void> {
  const { progress } = request;
  const { ownership } = plan;
  const { objects: creates, folded } = longStep('folding column defaults', () => foldColumnDefaults(preData));
  // Parsing the footer, checking the target and folding left their garbage; the schema and plan
  // are kept to the end. After the folding, not before: its garbage (each CREATE TABLE searched)
  // would otherwise sit under the schedule planned and wired next. Settled, so its pages go back
  // before the planning: with a regular collection here the planning and wiring grew V8's heap
  // past them (20,000 tables: 161 and 173 MiB peak against 155; docs/BENCHMARKS.md, session 19).
  garbagePoint('pre-data', { settled: true, fromHeapBytes: PLANNED_COLLECT_FROM });
  progress({
    type: 'phase',
    phase: 'pre-data',
    message: `creating ${counted(preData.length, 'object')}`,
  });
  const done = applyObjects(main, creates, {
    batch,
    statements: (o) => {
      const defaults = folded.get(o);
      const written = defaults ? { sql: withFoldedDefaults(o, defaults), roles: o.roles } : o;
      return withoutInitdbPublicComment(o.id, mapObjectRoles(written, ownership.mapRoles));
    },
    onApplied: (o) => {
      // A table counts for the defaults created with it too.
      for (let n = 1 + (folded.get(o)?.length ?? 0); n > 0; n--) ledger.tick('pre-data');
    },
    doing: (what) => `creating ${what}`,
  });
  // Its failure is thrown where it is awaited, below; this only keeps it from counting as unhandled meanwhile.
  done.catch(() => {});
  return done;
}

/**
 * What the schedule's tasks do on a session: load a table's streams (alone, or several in one
 * transaction or one query), large objects, sequence values and post-data objects, counting
 * each in the ledger. `items` gets the rows loaded per table.
 */
function scheduledWork(
  { request, options, schema, plan, warnings, ledger }: RestoreRun,
  insert: boolean,
  items: Record<string, number>,
) {
  const { progress, signal } = request;
  const { dataOnly, ownership, tables, sequences, largeObjects, postData } = plan;
  const summaries = plan.streams;
  // By table record (the work's tables are the plan's): no key string per table for the whole restore.
  const partsLeft = new Map<PgTableData, number>(tables.map((t) => [t, t.streams.length]));

  /** Loads one stream of a table; `countNow` false when the caller commits (and counts) later. */
  const loadPart = async (session: PgSession, t: PgTableData, stream: string, countNow = true) => {
    let inserted = 0;
    const rows = await loadTable(
      session,
      t,
      stream,
      request.streams.open(stream),
      insert,
      schema.database.encoding,
      summaries.get(stream),
      progress,
      request.streams.recycle?.bind(request.streams),
      (n) => {
        inserted = n;
      },
    ).catch((err: unknown) => {
      // A failed COPY commits nothing; a failed INSERT load keeps the statements that ran.
      if (countNow && !options.singleTransaction) ledger.rowsCommitted(inserted);
      throw err;
    });
    recordPart(t, stream, rows, countNow);
    return rows;
  };
  /** Checks a loaded stream's row count against the archive's and counts it (now, or when the caller commits). */
  const recordPart = (t: PgTableData, stream: string, rows: number, countNow: boolean) => {
    const expected = summaries.get(stream)?.items;
    if (expected !== undefined && expected !== rows) {
      throw new StowageError(
        'pg-row-count',
        `table ${keyOf(t)}: loaded ${rows} rows from ${stream} but the archive recorded ${expected}`,
        'the archive is damaged; restore from another backup',
      );
    }
    items[keyOf(t)] = (items[keyOf(t)] ?? 0) + rows;
    const left = (partsLeft.get(t) ?? 1) - 1;
    partsLeft.set(t, left);
    if (countNow) {
      ledger.partCommitted(rows);
      if (left === 0) ledger.tick('data');
    }
  };
  /**
   * Loads small tables' streams with one query (see copy-in-batch.ts): their COPYs and data go
   * out back to back, and the query is their transaction (no BEGIN and COMMIT round trips).
   * Only COPY loads without an encoding switch between tables go this way.
   */
  const pipelined = !insert && schema.database.encoding === 'UTF8';
  const loadPipelined = async (
    session: PgSession,
    parts: { table: PgTableData; stream: string }[],
    before: string[],
  ) => {
    for (const { stream } of parts) progress({ type: 'unit-start', name: stream });
    const batch = new CopyInBatch(
      parts.map(({ table, stream }) => ({
        text: copyInStatement(table),
        open: () => (request.streams.chunks ? request.streams.chunks(stream) : request.streams.open(stream)),
      })),
      request.streams.recycle?.bind(request.streams),
      before,
    );
    session.client.query(batch);
    let counts: number[];
    try {
      counts = await batch.done;
    } catch (err) {
      const failed = err instanceof CopyInBatchError ? err : undefined;
      const table = (parts[failed?.index ?? 0] as { table: PgTableData }).table;
      throw session.translate(failed?.error ?? err, `loading table ${keyOf(table)}`);
    }
    return parts.map(({ stream }, i) => {
      const rows = counts[i] ?? 0;
      progress({ type: 'unit-done', name: stream, items: rows, bytes: batch.bytes[i] ?? 0 });
      return rows;
    });
  };

  /** Loads `parts` one after the other in one transaction: they commit, and count, together. */
  const loadTogether = async (
    session: PgSession,
    parts: { table: PgTableData; stream: string }[],
    { deferConstraints }: { deferConstraints: boolean },
  ): Promise<void> => {
    const defer = deferConstraints ? ['SET CONSTRAINTS ALL DEFERRED'] : [];
    const loaded: number[] = [];
    if (pipelined) {
      const counts = await loadPipelined(session, parts, defer);
      // Committed with their query: counted as such even when a count below is found wrong.
      for (const rows of counts) ledger.partCommitted(rows);
      for (const [i, { table, stream }] of parts.entries()) recordPart(table, stream, counts[i] ?? 0, false);
    } else {
      if (!options.singleTransaction) await session.query('BEGIN', [], 'starting a load transaction');
      for (const sql of defer) await session.query(sql);
      for (const { table, stream } of parts) loaded.push(await loadPart(session, table, stream, false));
      if (!options.singleTransaction)
        await session.query(
          'COMMIT',
          [],
          `committing tables ${[...new Set(parts.map((p) => keyOf(p.table)))].join(', ')}`,
        );
    }
    for (const rows of loaded) ledger.partCommitted(rows);
    for (const t of new Set(parts.map((p) => p.table))) if (partsLeft.get(t) === 0) ledger.tick('data');
  };

  const perform = async (work: RestoreWork, session: PgSession): Promise<void> => {
    switch (work.kind) {
      case 'load':
        await loadPart(session, work.table, work.stream);
        return;
      case 'load-together':
        await loadTogether(
          session,
          work.tables.flatMap((table) => table.streams.map((stream) => ({ table, stream }))),
          { deferConstraints: true },
        );
        return;
      case 'large-objects': {
        if (!largeObjects) return;
        progress({ type: 'unit-start', name: work.stream });
        let loaded = 0;
        try {
          loaded = await loadLargeObjects(session, request.streams.open(work.stream), {
            clean: !!options.clean,
            owner: ownership.owner,
            acl: ownership.acl,
            mapRoles: ownership.mapRoles,
            extras: largeObjects.extras,
            onObject: () => ledger.tick('large objects'),
          });
        } catch (err) {
          throw session.translate(err, 'restoring large objects');
        }
        progress({
          type: 'unit-done',
          name: work.stream,
          items: loaded,
          bytes: summaries.get(work.stream)?.rawBytes ?? 0,
        });
        return;
      }
      case 'all-data':
        return;
      case 'sequences':
        await restoreSequences(session, sequences, dataOnly, warnings);
        for (const _ of sequences) ledger.tick('sequences');
        return;
      case 'post-data':
        announcePostData();
        await applyOne(session, postDataObject(work.object), postDataOptions);
        return;
    }
  };

  let announced = false;
  const announcePostData = () => {
    if (announced) return;
    announced = true;
    progress({
      type: 'phase',
      phase: 'post-data',
      message: `building ${counted(postData.length, 'object')} (indexes, constraints, …)`,
    });
  };
  const postDataObject = (o: PgObject) => (options.foreignKeysNotValid ? notValidForeignKey(o) : o);
  const postDataOptions: BatchOptions = {
    statements: (o) => mapObjectRoles(o, ownership.mapRoles),
    onApplied: () => ledger.tick('post-data'),
    doing: (what) => `creating ${what}`,
    signal,
  };
  /**
   * Small tables' loads, several in one transaction (one commit instead of one each), or their
   * indexes and constraints, several in one query (one round trip instead of one each).
   */
  const performBatch = async (works: RestoreWork[], session: PgSession): Promise<void> => {
    const loads = works.flatMap((w) => (w.kind === 'load' ? [{ table: w.table, stream: w.stream }] : []));
    if (loads.length === works.length) {
      // INSERT loads run and commit statement by statement (load-insert.ts): one load after the other.
      if (insert) for (const { table, stream } of loads) await loadPart(session, table, stream);
      else await loadTogether(session, loads, { deferConstraints: false });
      return;
    }
    const objects = works.flatMap((w) => (w.kind !== 'post-data' ? [] : [postDataObject(w.object)]));
    if (objects.length !== works.length) throw new Error('only loads or post-data are batched');
    announcePostData();
    await applyBatch(session, objects, postDataOptions);
  };
  return { perform, performBatch };
}

/** Owners and privileges, set once every object is created and loaded. */
async function restoreOwnership(
  { request, plan, ledger, main }: RestoreRun,
  objects: PgObject[],
  role: string,
  batch: boolean,
) {
  const { progress } = request;
  const { ownership } = plan;
  progress({ type: 'phase', phase: 'owner', message: 'restoring owners and privileges' });
  const restorer = ownership.owner ? role : undefined;
  // Owners the objects already have (the restoring role made them) are not set again.
  const owners = (o: PgObject) =>
    (o.owner ?? [])
      .map((sql) => mapStatementRole(sql, ownership.mapRoles))
      .filter((sql) => restorer === undefined || !isNoOpOwnerChange(o, sql, restorer));
  // Event triggers are created last, their owner with them (below).
  const statements = (o: PgObject) =>
    o.kind === 'event-trigger'
      ? []
      : [
          ...(ownership.owner ? owners(o) : []),
          ...(ownership.acl ? (o.acl ?? []).map((sql) => mapStatementRole(sql, ownership.mapRoles)) : []),
        ];
  ledger.plan('owners and privileges', objects.filter((o) => statements(o).length).length, 'objects');
  await applyObjects(main, objects, {
    batch,
    statements,
    onApplied: () => ledger.tick('owners and privileges'),
    doing: (what) => `setting owner and privileges of ${what}`,
  });
}

/** Event triggers come last, their owner with them: one created earlier would fire during the restore. */
async function createEventTriggers({ plan, ledger, main }: RestoreRun, batch: boolean) {
  const { ownership, eventTriggers } = plan;
  await applyObjects(main, eventTriggers, {
    batch,
    statements: (o) => [
      ...o.sql,
      ...(ownership.owner ? (o.owner ?? []).map((sql) => mapStatementRole(sql, ownership.mapRoles)) : []),
    ],
    onApplied: () => ledger.tick('post-data'),
    doing: (what) => `creating ${what}`,
  });
}

/** The archived database's owner, settings, comment and grants, for a database this restore created. */
async function setDatabaseProperties(
  { plan, warnings, ledger, main, created }: RestoreRun,
  properties: NonNullable<PlannedRestore['schema']['database']['properties']>,
) {
  const { ownership } = plan;
  if (created) {
    const sql = databasePropertyStatements(main.target.database, properties, ownership);
    ledger.plan('database properties', sql.length ? 1 : 0, 'database');
    // Last: a database setting such as default_transaction_read_only must not affect the restore itself.
    for (const statement of sql) await main.query(statement, [], 'setting the database properties');
    ledger.tick('database properties');
  } else {
    warnings.push(
      `database "${main.target.database}" already existed: its owner, settings, comment and grants were left as they are`,
    );
  }
}

/**
 * The error a failed restore throws: what was applied so far (the ledger), and a hint where one helps.
 * `cancelled`: the signal ended the restore, and `err` is only what that did to a statement or stream.
 */
function restoreFailure(
  err: unknown,
  ledger: RestoreLedger,
  cancelled: boolean,
  dataOnly: boolean,
  signal: AbortSignal | undefined,
): StowageError {
  if (cancelled && signal) return ledger.failure(abortReason(signal));
  if (dataOnly && err instanceof StowageError && err.code === 'pg-23503') {
    // Foreign keys the load order could not satisfy (or rows missing from the archive's selection).
    return ledger.failure(
      new StowageError(
        err.code,
        err.message,
        'load with --disable-triggers (superuser), or include the referenced tables',
        { cause: err },
      ),
    );
  }
  return ledger.failure(err);
}

/** A globals-only archive: roles and tablespaces into the server `request.url` points at (any database). */
async function restoreGlobalsOnly(
  request: EngineRestoreRequest<PostgresRestoreOptions>,
  schema: Awaited<ReturnType<typeof parsePostgresSchema>>,
  warnings: string[],
): Promise<EngineRestoreResult> {
  if (!schema.globals) throw new StowageError('corrupt-schema', 'the globals archive holds no globals');
  request.progress({ type: 'phase', phase: 'connect' });
  const session = await PgSession.open(parseTarget(request.url), {
    mode: 'restore',
    settings: RESTORE_SETTINGS,
    signal: request.signal,
  });
  try {
    // No table is written, so nothing to back up first; the caller may still ask for confirmation.
    await request.beforeWrite?.({ units: [], replaced: [], backupOptions: {} });
    request.progress({ type: 'phase', phase: 'globals', message: 'creating missing roles and tablespaces' });
    const done = await restoreGlobals(session, schema.globals, {
      matching: request.options?.globalsMatching,
      alterExisting: request.options?.alterExistingRoles,
    });
    warnings.push(describeGlobals(done));
    request.progress({ type: 'phase', phase: 'done' });
    return {
      database: session.target.database,
      // No table rows; what was created is in the warnings (describeGlobals).
      items: {},
      warnings,
    };
  } finally {
    await session.close();
  }
}

/** Whether the restore takes only some of the archive (--schema, --table, or their exclusions). */
function filtered(options: PostgresRestoreOptions): boolean {
  return !!(
    options.includeSchemas?.length ||
    options.includeTables?.length ||
    options.excludeSchemas?.length ||
    options.excludeTables?.length
  );
}

async function loadTable(
  session: PgSession,
  table: PgTableData,
  stream: string,
  source: Readable,
  insert: boolean,
  encoding: string,
  archived: StreamSummary | undefined,
  progress: EngineRestoreRequest['progress'],
  recycle: ((chunk: Buffer) => void) | undefined,
  /** INSERT mode: rows loaded so far, each statement committed on its own outside a transaction. */
  onInserted: (rows: number) => void = () => {},
): Promise<number> {
  progress({ type: 'unit-start', name: stream });
  // Text in the archive is in the source database's encoding; say so, and the server converts.
  const convert = encoding !== 'UTF8';
  if (convert) await session.query(`SELECT pg_catalog.set_config('client_encoding', $1, false)`, [encoding]);
  let rows: number;
  let bytes = 0;
  if (insert) {
    rows = await loadTableInsert(session, table, source, (items, sent) => {
      onInserted(items);
      bytes = sent;
      progress({ type: 'unit-progress', name: stream, items, bytes });
    });
  } else {
    // COPY rows are counted by the server at the end; meanwhile, estimate from the bytes sent.
    const perByte = archived && archived.rawBytes > 0 ? archived.items / archived.rawBytes : 0;
    rows = await loadTableCopy(
      session,
      table,
      source,
      (sent) => {
        bytes = sent;
        progress({ type: 'unit-progress', name: stream, items: Math.round(sent * perByte), bytes });
      },
      recycle,
    );
  }
  if (convert) await session.query(`SELECT pg_catalog.set_config('client_encoding', 'UTF8', false)`);
  progress({ type: 'unit-done', name: stream, items: rows, bytes });
  return rows;
}

/** Sets every sequence's value in one round trip; with data-only, sequences missing from the target are reported. */
async function restoreSequences(
  session: PgSession,
  sequences: { schema: string; name: string; lastValue: string; isCalled: boolean }[],
  dataOnly: boolean,
  warnings: string[],
): Promise<void> {
  const names = sequences.map((s) => qualify(s.schema, s.name));
  const { rows } = await session.query<{ name: string }>(
    `SELECT x.name FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::bool[])) AS x(name, value, called)
     WHERE CASE WHEN pg_catalog.to_regclass(x.name) IS NULL THEN true
       ELSE pg_catalog.setval(x.name::pg_catalog.regclass, x.value::bigint, x.called) IS NULL END`,
    [names, sequences.map((s) => s.lastValue), sequences.map((s) => s.isCalled)],
    'setting sequence values',
  );
  if (rows.length) {
    if (!dataOnly)
      throw new StowageError(
        'pg-error',
        `sequences missing after the schema was restored: ${rows.map((r) => r.name).join(', ')}`,
      );
    warnings.push(`sequences not in the target, values not set: ${rows.map((r) => r.name).join(', ')}`);
  }
}

/**
 * --clean and extensions' configuration tables: the extension (and so the table) stays, with the
 * rows the extension made itself; the rows of the archived kind (its filter) go, to be loaded again.
 */
async function emptyExtensionConfigTables(session: PgSession, tables: PgTableData[]): Promise<void> {
  for (const t of tables) {
    if (!t.filter) continue;
    const name = qualify(t.schema, t.name);
    const { rows } = await session.query<{ present: boolean }>(
      'SELECT pg_catalog.to_regclass($1) IS NOT NULL AS present',
      [name],
    );
    if (rows[0]?.present)
      await session.query(`DELETE FROM ONLY ${name} ${t.filter}`, [], `emptying ${name} (--clean)`);
  }
}

/** A foreign key added without checking the rows already there (see PostgresRestoreOptions.foreignKeysNotValid). */
function notValidForeignKey(o: PgObject): PgObject {
  const [add, ...rest] = o.sql;
  // Only `ALTER TABLE ONLY`: a partitioned table's foreign key cannot be NOT VALID.
  if (o.kind !== 'foreign-key' || !add?.startsWith('ALTER TABLE ONLY ')) return o;
  return withChanges(o, { sql: [terminated(add, ' NOT VALID'), ...rest] });
}

/**
 * The archive's schema, parsed, and what restoring it takes; no plan for a globals-only archive.
 * Gives way to the event loop between its steps (each a pass over every object: about a second
 * of CPU in all at 20,000 tables), so the connection opened before it gets through its round
 * trips (connect, authentication) meanwhile instead of after it.
 */
async function planTarget(
  request: EngineRestoreRequest<PostgresRestoreOptions>,
  options: PostgresRestoreOptions,
  /** Called once the schema passed its checks, before the planning (--create starts there). */
  checked: (schema: Awaited<ReturnType<typeof parsePostgresSchema>>) => void,
) {
  await nextTurn();
  // Its check of every object runs before parsePostgresSchema's first await: within the step.
  const schema = await longStep('checking the schema', () => parsePostgresSchema(request.schema));
  checked(schema);
  // The footer's parse leaves its garbage here (its runs of text and parsed objects, packed as they
  // came); the packed schema is kept to the end. At 20,000 tables ~67 MB of heap, ~51 MB live: the
  // planning before the pre-data point then starts from what is live (docs/BENCHMARKS.md, session 16).
  // From the same 32 MiB as the points before and after the schedule: at 20,000 tables the heap in use
  // here was 50–70 MB, and a run under the default 64 MiB folded its column defaults on top of the
  // parse's garbage (162 MiB peak against ~155; docs/BENCHMARKS.md, session 19).
  garbagePoint('schema read', { settled: true, fromHeapBytes: PLANNED_COLLECT_FROM });
  const warnings: string[] = [];
  if (schema.contents === 'globals') return { schema, warnings, plan: undefined, needs: undefined };
  await nextTurn();
  const plan = longStep('planning the restore', () =>
    planRestore(schema, options, request.streams.list(), warnings),
  );
  const { dataOnly, selection, ownership, largeObjects } = plan;
  await nextTurn();
  const needs = longStep('listing prerequisites', () =>
    prerequisitesOf(schema, dataOnly ? [] : selection.objects, {
      ...ownership,
      database: !!options.create && !dataOnly,
      largeObjects: !!largeObjects,
    }),
  );
  if (dataOnly) needs.extensions = [];
  return { schema, warnings, plan, needs };
}
