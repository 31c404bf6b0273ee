import { abortReason } from '../../abort-reason.js';
import { UsageError } from '../../errors.js';
import { garbagePoint } from '../../garbage-points.js';
import { runSchedule } from '../../scheduler/scheduler.js';
import type { EngineBackupRequest, EngineBackupResult } from '../engine.js';
import { counted, countUnits } from '../nouns.js';
import { openBackupLeader, openDataSession, type PgSourceConnecting } from './backup-leader.js';
import { type PgSession, parseTarget } from './connect.js';
import { copyPlaces, isSmallPart } from './copy-places.js';
import { dumpTable, dumpTables } from './dump-table.js';
import { qualify } from './ident.js';
import { type Census, readCensus } from './introspect/census.js';
import type { CatalogContext } from './introspect/context.js';
import { readDatabaseProperties } from './introspect/database-properties.js';
import { type DependLinks, readDependLinks } from './introspect/depend.js';
import { type ExtensionConfigRead, readExtensionConfig } from './introspect/extension-config.js';
import { readGlobals } from './introspect/globals.js';
import { PackedList } from './introspect/packed-list.js';
import { PackedObject, unpackedObject } from './introspect/packed-object.js';
import { PackedTableData, storedTableData, unpackedTableData } from './introspect/packed-table-data.js';
import {
  type CatalogRead,
  listSchemas,
  PACKED_CATALOG_COLLECT_FROM,
  readCatalog,
} from './introspect/read-catalog.js';
import { selectRelations } from './introspect/relations.js';
import { readSequenceValues, type SequencesRead } from './introspect/sequences.js';
import { dumpLargeObjects, type LargeObjects, readLargeObjectCatalog } from './large-objects.js';
import {
  type BackedUpPostgresSchema,
  type PgDatabaseProperties,
  type PgSequenceValue,
  type PgTableData,
  POSTGRES_SCHEMA_FORMAT,
  POSTGRES_SCHEMA_VERSION,
  type PostgresSchema,
} from './model.js';
import type { PostgresBackupOptions } from './options.js';
import { NameFilter } from './patterns.js';
import { beginSnapshot, joinSnapshot, lockRelations } from './snapshot.js';
import {
  DEFAULT_SPLIT_BYTES,
  MIN_SPLIT_SERVER_VERSION,
  planParts,
  readTableBlocks,
  type TablePart,
} from './table-parts.js';

/**
 * Backs up one database: schema from the catalogs, table data with binary COPY
 * on `jobs` connections sharing one exported snapshot, biggest tables first.
 */
export async function backupPostgres(
  request: EngineBackupRequest<PostgresBackupOptions>,
  /** Read as of this exported snapshot (a replication slot's, for continuous backup) instead of a new one. */
  snapshotId?: string,
): Promise<EngineBackupResult> {
  const options = request.options ?? {};
  if (options.schemaOnly && options.dataOnly) {
    throw new UsageError(
      'schema-only and data-only exclude each other',
      'pick one of --schema-only and --data-only',
    );
  }
  if (options.globalsOnly && (options.schemaOnly || options.dataOnly)) {
    throw new UsageError(
      '--globals-only backs up roles and tablespaces only',
      'drop --schema-only/--data-only, or back up the database with --globals',
    );
  }
  if (options.rolePasswords && !options.globals && !options.globalsOnly) {
    throw new UsageError('--role-passwords only applies with --globals or --globals-only');
  }
  const filter = new NameFilter(options);
  const target = parseTarget(request.url);
  const progress = request.progress;
  const signal = request.signal;
  const warnings: string[] = [];
  const sessions: PgSession[] = [];
  // Data sessions connect while the leader reads the catalog (they need only the snapshot).
  let opening: Promise<PromiseSettledResult<PgSession>[]> | undefined;
  // Set once the backup's work is done: the sessions end while the caller writes the footer.
  let closing: Promise<void> | undefined;
  // Data sessions the first connection opened beside the leader (connectBackupSource), in `sessions` once open.
  let openedEarly: Promise<PgSession>[] = [];
  const closeAll = async (how: 'close' | 'finish') => {
    // Sessions still connecting must be in the list before it is closed.
    const opened = await opening;
    // Early ones the data phase did not take (it awaited the others): awaited only when there are
    // any, so the sessions' ends begin before the caller gets the result (after-catalog.test.ts).
    if (openedEarly.length > (opened?.length ?? 0)) await Promise.allSettled(openedEarly);
    await Promise.all(sessions.map((s) => s[how]()));
  };

  progress({ type: 'phase', phase: 'connect', message: `connecting to ${target.server}` });
  // Taken over when the preflight opened it (see probes.ts): the backup's first connection.
  const early = request.source as PgSourceConnecting | undefined;
  const {
    session: leader,
    server,
    data,
  } = await (early ? early.take() : openBackupLeader(target, options, signal));
  sessions.push(leader);
  openedEarly = (data ?? []).map((d) =>
    d.then((s) => {
      sessions.push(s);
      return s;
    }),
  );
  try {
    const readRoles = () => {
      progress({ type: 'phase', phase: 'globals', message: 'reading roles and tablespaces' });
      return readGlobals(leader, !!options.rolePasswords);
    };
    if (options.globalsOnly) {
      const globals = await readRoles();
      progress({ type: 'phase', phase: 'done' });
      const schema: PostgresSchema = {
        format: POSTGRES_SCHEMA_FORMAT,
        version: POSTGRES_SCHEMA_VERSION,
        server: { version: server.version, versionNum: server.versionNum },
        database: { name: server.database, encoding: server.encoding },
        contents: 'globals',
        globals,
        objects: [],
        tables: [],
        sequences: [],
        partitions: [],
      };
      return {
        serverVersion: server.version,
        database: server.database,
        schema,
        pointInTime: false,
        warnings,
      };
    }
    const snapshot = await beginSnapshot(leader, !server.pglite, snapshotId);
    const jobs = server.pglite ? 1 : Math.max(1, request.jobs | 0);
    if (jobs > 1 && !options.schemaOnly && snapshot) {
      opening = Promise.allSettled(
        Array.from({ length: jobs - 1 }, async (_, i) => {
          // Those opened early go first; one too few (another jobs count) is opened now.
          const worker = await (openedEarly[i] ??
            openDataSession(target, server.encoding, signal).then((s) => {
              sessions.push(s);
              return s;
            }));
          await joinSnapshot(worker, snapshot);
          return worker;
        }),
      );
    }

    progress({ type: 'phase', phase: 'schema', message: 'reading the schema' });
    const ctx: CatalogContext = {
      session: leader,
      version: server.versionNum,
      schemas: [],
      relations: [],
      selective: !!(options.includeSchemas?.length || options.includeTables?.length),
      warnings,
      incomplete: [],
    };
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const census = askCensus(ctx, opening, lockTaken);
    census.catch(() => {}); // awaited by the catalog's readers of the kinds it counts
    let links = opening && server.encoding === 'UTF8' ? askDependLinks(ctx, opening, census) : undefined;
    links?.catch(() => {}); // awaited by readCatalog, or abandoned with the backup
    ctx.schemas = await listSchemas(ctx, filter);
    const partitions = await selectAndLock(ctx, filter);
    locked();
    const helpers = await catalogHelpers(opening, server.encoding);
    let asked: AfterCatalog | undefined;
    const catalog = await readCatalog(
      ctx,
      helpers,
      census,
      (sequences) => {
        asked = askAfterCatalog(ctx, helpers[0], options.schemaOnly ? [] : sequences);
      },
      helpers.length ? links : undefined,
    );
    // The promise holds pg_depend's links (~5 MiB with 20,000 tables) for as long as this scope
    // lives: through the data phase and the footer, where the backup peaks, unless let go here.
    links = undefined;
    if (!asked) throw new Error('the catalog read did not say when its rows were in');
    const properties = await asked.properties;
    // Roles are global, outside the snapshot: read them with the catalog so they match it as closely as can be.
    const globals = options.globals ? await readRoles() : undefined;
    // Said before any data is copied, so a refused backup stops here.
    if (ctx.incomplete.length) request.onIncomplete?.(ctx.incomplete);

    // Large objects and extensions' configuration data belong to no selected table: like pg_dump,
    // a whole-database backup takes them, a selection does not.
    const selective = !!(options.includeSchemas?.length || options.includeTables?.length);
    const extensionConfig = await asked.extensionConfig;
    if (selective && (extensionConfig.tables.length || extensionConfig.sequences.length)) {
      warnings.push(
        `extension configuration data not backed up (a schema or table selection leaves it out): ${[...extensionConfig.tables, ...extensionConfig.sequences].map((t) => qualify(t.schema, t.name)).join(', ')}`,
      );
    }
    const withConfig = selective || options.schemaOnly ? undefined : extensionConfig;
    const dataFilter = new NameFilter({ excludeTables: options.excludeTableData });
    // Asked only when there are patterns: matching cost some 400 bytes of garbage a table.
    const withoutData = options.excludeTableData?.length
      ? catalog.tables.filter((t) => !dataFilter.relation(t.schema, t.name))
      : [];
    if (!options.schemaOnly && withoutData.length) {
      // Said in the manifest, so the empty tables a restore gives are no surprise.
      const names = withoutData.map((t) => qualify(t.schema, t.name));
      warnings.push(
        `data of ${withoutData.length} ${withoutData.length === 1 ? 'table' : 'tables'} left out (--exclude-table-data): ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`,
      );
    }
    const copied = options.schemaOnly
      ? []
      : [...catalog.tables.filter((t) => !withoutData.includes(t)), ...(withConfig?.tables ?? [])];
    const tables: PgTableData[] = copied.map(storedTableData);
    const parts = await splitTables(leader, copied, tables, {
      jobs,
      splitBytes: options.splitTableBytes ?? DEFAULT_SPLIT_BYTES,
      serverVersion: server.versionNum,
      warnings,
    });
    const sequences = options.schemaOnly
      ? []
      : [...(await asked.sequenceValues), ...(await readSequenceValues(ctx, withConfig?.sequences ?? []))];
    const largeObjects = await asked.largeObjects;
    const takeLargeObjects = !!largeObjects && !options.schemaOnly && (options.largeObjects ?? !selective);
    if (largeObjects && !takeLargeObjects) {
      const why = options.schemaOnly
        ? 'schema-only'
        : options.largeObjects === false
          ? '--no-large-objects'
          : 'a schema or table selection leaves them out; --large-objects includes them';
      warnings.push(`${largeObjects.count} large objects not backed up (${why})`);
    }

    const schema: BackedUpPostgresSchema = {
      format: POSTGRES_SCHEMA_FORMAT,
      version: POSTGRES_SCHEMA_VERSION,
      server: { version: server.version, versionNum: server.versionNum },
      database: { name: server.database, encoding: server.encoding, properties },
      ...(globals ? { globals } : {}),
      ...(selective ? { partial: true } : {}),
      contents: options.schemaOnly ? 'schema-only' : options.dataOnly ? 'data-only' : 'full',
      objects: storedObjects(catalog, options, selective, request.packJson),
      tables: storedTables(tables, request.packJson),
      sequences,
      partitions,
      ...(takeLargeObjects ? { largeObjects } : {}),
    };

    if (tables.length || takeLargeObjects) {
      const queue = tables.flatMap((table, i) => (parts[i] as TablePart[]).map((part) => ({ table, part })));
      progress({
        type: 'plan',
        units: [
          ...(takeLargeObjects && largeObjects
            ? [{ name: largeObjects.stream, estimatedItems: largeObjects.count }]
            : []),
          ...queue.map(({ part }) => ({
            name: part.stream,
            estimatedItems: part.estimatedRows >= 0 ? part.estimatedRows : undefined,
            estimatedBytes: part.estimatedBytes,
          })),
        ],
        summary: tablesAndLargeObjects(tables.length, takeLargeObjects ? largeObjects?.count : undefined),
      });
      progress({
        type: 'phase',
        phase: 'data',
        message: `copying ${tablesAndLargeObjects(tables.length, takeLargeObjects ? largeObjects?.count : undefined)}`,
      });
      // Already so in a UTF-8 database (pg asks for UTF8 at start-up): then no round trip before the first COPY.
      if (server.clientEncoding !== server.encoding)
        await leader.query(`SELECT pg_catalog.set_config('client_encoding', $1, false)`, [server.encoding]);
      const workers = [leader];
      for (const o of (await opening) ?? []) {
        if (o.status === 'rejected') throw o.reason;
        workers.push(o.value);
      }
      // A session with nothing to copy just waits for the end: fewer tasks than jobs is fine.
      // Their size is unknown until read: they start first, so a big set of them is not the long pole.
      const largeObjectTask =
        takeLargeObjects && largeObjects
          ? [
              {
                id: largeObjects.stream,
                priority: 1,
                run: (session: PgSession) =>
                  backUpLargeObjects(session, largeObjects.stream, request, progress),
              },
            ]
          : [];
      // Ordering the catalog's objects left its garbage; the schema is kept to the end, and what the
      // data phase allocates is mostly per-table garbage (DATA_PHASE_COLLECT_FROM).
      const dataPhase = { fromHeapBytes: DATA_PHASE_COLLECT_FROM, settled: true };
      garbagePoint('data', catalog.packed ? dataPhase : {});
      // Biggest first: the longest COPY starts at once and the small ones fill in around it.
      await runSchedule(
        [
          ...largeObjectTask,
          ...batchSmallTables(queue, !server.pglite).map((batch) =>
            batch.length === 1
              ? {
                  id: batch[0]!.part.stream,
                  size: batch[0]!.part.estimatedBytes,
                  run: (session: PgSession) =>
                    dumpTable(
                      session,
                      unpackedTableData(batch[0]!.table),
                      batch[0]!.part,
                      request.streams,
                      progress,
                    ).then(() => {}),
                }
              : {
                  id: `batch:${batch[0]!.part.stream}`,
                  size: batch.reduce((n, { part }) => n + part.estimatedBytes, 0),
                  run: (session: PgSession) =>
                    dumpTables(
                      session,
                      // Unpacked as their turn comes, and let go once copied.
                      batch.map(({ table, part }) => ({ table: unpackedTableData(table), part })),
                      request.streams,
                      progress,
                    ).then(() => {}),
                },
          ),
        ],
        copyPlaces(
          workers,
          queue.map(({ part }) => part),
          { batching: !server.pglite, largeObjects: largeObjectTask.length > 0 },
        ),
        {
          signal,
          // One table failed: stop the others now rather than finish copying into a backup that will be thrown away.
          onFailure: () => {
            for (const s of sessions) s.destroy();
          },
        },
      );
    }

    await leader.query('COMMIT', [], 'finishing the backup transaction');
    // Committed: the sessions end without waiting for the server processes to exit (as pg_dump's
    // do), while the caller writes the footer. Waiting took 10-20 ms at the end of a small backup.
    closing = closeAll('finish');
    // The data phase's garbage ends here; the schema is kept for the footer, written next.
    if (tables.length || takeLargeObjects)
      garbagePoint('footer', catalog.packed ? { fromHeapBytes: PACKED_CATALOG_COLLECT_FROM } : {});
    progress({ type: 'phase', phase: 'done' });
    return {
      serverVersion: server.version,
      database: server.database,
      schema,
      pointInTime: true,
      warnings,
      incomplete: ctx.incomplete,
      closing,
    };
  } catch (err) {
    // Cancelling drops the connections; say so instead of reporting them lost.
    if (signal?.aborted) throw abortReason(signal, 'backup');
    throw err;
  } finally {
    if (!closing) await closeAll('close');
  }
}

/**
 * The schema's objects as the backup keeps them until the footer: those of the catalog it
 * stores, packed by `packJson` when given (engine.ts). `catalog` lets go of its list, so nothing
 * else keeps the objects through the data phase (20,000 tables: ~85 MB of heap as objects).
 */
function storedObjects(
  catalog: CatalogRead,
  options: PostgresBackupOptions,
  selective: boolean,
  packJson: ((value: unknown) => unknown) | undefined,
): unknown {
  const objects = options.dataOnly
    ? // Data-only keeps just the materialized view refreshes: their contents are data too.
      catalog.objects.filter((o) => o.kind === 'refresh')
    : selective
      ? // A schema or table selection leaves out the system objects' privileges, as pg_dump -n/-t does.
        catalog.objects.filter((o) => o.kind !== 'system-acl')
      : catalog.objects;
  if (!packJson) return objects.map(unpackedObject);
  catalog.objects = [];
  // Objects packed as the catalog was read are written from their texts, in this order.
  return packJson(objects.some((o) => o instanceof PackedObject) ? new PackedList(objects) : objects);
}

/**
 * Selects the relations to back up into `ctx.relations` (their OIDs) and locks them; returns the
 * partitions among them. The list of relations dies here: kept by the backup's own function to
 * its end, it was 20,000 objects through the whole data phase.
 */
async function selectAndLock(ctx: CatalogContext, filter: NameFilter): Promise<PostgresSchema['partitions']> {
  const relations = await selectRelations(ctx, filter);
  ctx.relations = relations.map((r) => r.oid);
  await lockRelations(ctx.session, relations);
  return relations
    .filter((r) => r.ancestors.length)
    .map((r) => ({ schema: r.schema, name: r.name, ancestors: r.ancestors }));
}

/**
 * The tables' data entries as the backup keeps them until the footer: a list with entries
 * packed as the catalog was read (packed-table-data.ts) is written from their texts, packed by
 * `packJson` as a whole; without `packJson`, as plain entries.
 */
function storedTables(tables: PgTableData[], packJson: ((value: unknown) => unknown) | undefined): unknown {
  const packed = tables.some((t) => t instanceof PackedTableData);
  if (!packJson) return packed ? tables.map(unpackedTableData) : tables;
  return packed ? packJson(new PackedList(tables)) : tables;
}

/**
 * The census (census.ts), asked on whichever session is free first: a data session that has
 * joined the snapshot while the leader still lists the schemas and relations and locks them, or
 * else the leader once `lockTaken` resolves (as before). The census reads catalog rows as the
 * snapshot sees them, which no lock changes, so it need not wait for the locks; asked on the
 * leader after them, it is a round trip of its own between the lock and the readers, and the first
 * query of a fresh backend (some 7 ms of server time on a small database). When it fails on the
 * data session the leader asks it; the backup goes on or fails where that session is used next.
 */
async function askCensus(
  ctx: CatalogContext,
  opening: Promise<PromiseSettledResult<PgSession>[]> | undefined,
  lockTaken: Promise<void>,
): Promise<Census> {
  const joined = opening
    ? await Promise.race([opening.then((all) => all.find((o) => o.status === 'fulfilled')), lockTaken])
    : undefined;
  if (joined) {
    try {
      return await readCensus({ session: joined.value, version: ctx.version });
    } catch {
      // Asked again on the leader below.
    }
  }
  await lockTaken;
  return readCensus(ctx);
}

/**
 * pg_depend's links, read on the first data session once the census is answered there, while
 * the leader still lists and locks the relations: like the census they are catalog rows as the
 * snapshot sees them, which no lock changes, and they need no relation list. That session sat idle
 * through the locks (76 ms at 3,000 tables), and pg_depend is its longest query. Read only where
 * the data sessions also read the catalog (see catalogHelpers); with no data session joined,
 * readCatalog is given none of this.
 */
async function askDependLinks(
  ctx: CatalogContext,
  opening: Promise<PromiseSettledResult<PgSession>[]>,
  census: Promise<Census>,
): Promise<DependLinks> {
  // After the census: the readers wait for it, and a session answers its queries in turn.
  await census.catch(() => {});
  const joined = (await opening).find((o) => o.status === 'fulfilled');
  if (!joined) throw new Error('no data session joined the snapshot');
  return readDependLinks({ ...ctx, session: joined.value, warnings: [], incomplete: [] });
}

/** The questions {@link askAfterCatalog} sent, answered in any order. */
interface AfterCatalog {
  properties: Promise<PgDatabaseProperties>;
  extensionConfig: Promise<ExtensionConfigRead>;
  /** The catalog's own sequences (extensions' configuration sequences are asked once those are known). */
  sequenceValues: Promise<PgSequenceValue[]>;
  largeObjects: Promise<LargeObjects | undefined>;
}

/**
 * Sends the questions that follow the catalog read as soon as its rows are in, while the client
 * orders the objects: the database's properties and the extensions' configuration on the leader,
 * the sequences' values and the large objects' catalog on a free data session in the snapshot
 * (a catalog helper, so only where the database is UTF-8), else queued on the leader behind the
 * others. Asked one after another on the leader once the objects were ordered, they were five
 * round trips in a row between the catalog and the first COPY. Each answer is awaited where it was
 * before, so a failure is reported as it was; the others' rejections are kept from going unhandled
 * (the backup fails at the first one it awaits).
 */
function askAfterCatalog(
  ctx: CatalogContext,
  helper: PgSession | undefined,
  sequences: SequencesRead['all'],
): AfterCatalog {
  const free: CatalogContext = helper ? { ...ctx, session: helper } : ctx;
  const asked: AfterCatalog = {
    properties: readDatabaseProperties(ctx.session),
    extensionConfig: readExtensionConfig(ctx),
    sequenceValues: readSequenceValues(free, sequences),
    largeObjects: readLargeObjectCatalog(free.session),
  };
  for (const answer of Object.values(asked)) (answer as Promise<unknown>).catch(() => {});
  return asked;
}

/**
 * The data sessions that can help read the catalog (see readCatalog): they are
 * in the backup's snapshot, and send text in the database's encoding, which is
 * what the catalog readers expect only where that is UTF-8. None while they
 * are still failing to connect: their error is reported when data copying starts.
 */
async function catalogHelpers(
  opening: Promise<PromiseSettledResult<PgSession>[]> | undefined,
  encoding: string,
): Promise<PgSession[]> {
  if (!opening || encoding !== 'UTF8') return [];
  return (await opening).flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
}

/**
 * Plans the COPYs of each table (same order as `tables`): whole, or in block
 * ranges when several jobs can share a big table (see table-parts.ts). Records
 * the parts' stream names on the tables.
 */
async function splitTables(
  session: PgSession,
  catalogTables: { oid: string; estimatedBytes: number }[],
  tables: PgTableData[],
  how: { jobs: number; splitBytes: number; serverVersion: number; warnings: string[] },
): Promise<TablePart[][]> {
  const whole = (t: PgTableData): TablePart[] => [
    { stream: t.streams[0] as string, estimatedRows: t.estimatedRows, estimatedBytes: t.estimatedBytes },
  ];
  const big = catalogTables.filter((t, i) => t.estimatedBytes >= 2 * how.splitBytes && !tables[i]?.filter);
  if (how.jobs < 2 || how.splitBytes <= 0 || !big.length) return tables.map(whole);
  if (how.serverVersion < MIN_SPLIT_SERVER_VERSION) {
    // Block-range scans (TID range scans) came with 14: older servers would read the whole table per part.
    how.warnings.push(
      `${big.length} big ${big.length === 1 ? 'table' : 'tables'} copied whole, one job each: splitting a table into parts needs PostgreSQL 14 or newer`,
    );
    return tables.map(whole);
  }
  const { blocks, blockSize } = await readTableBlocks(
    session,
    big.map((t) => Number(t.oid)),
  );
  return tables.map((table, i) => {
    if (table.filter) return whole(table);
    const planned = planParts(
      table,
      blocks.get(Number(catalogTables[i]?.oid)) ?? 0,
      blockSize,
      how.splitBytes,
    );
    table.streams = planned.map((p) => p.stream);
    return planned;
  });
}

async function backUpLargeObjects(
  session: PgSession,
  stream: string,
  request: EngineBackupRequest<PostgresBackupOptions>,
  progress: EngineBackupRequest['progress'],
): Promise<void> {
  progress({ type: 'unit-start', name: stream });
  const writer = request.streams.open(stream);
  const finished = new Promise<void>((resolve, reject) => {
    writer.once('finish', resolve);
    writer.once('error', reject);
  });
  let bytes = 0;
  try {
    const dumped = await dumpLargeObjects(session, writer);
    writer.itemCount = dumped.objects;
    bytes = dumped.bytes;
  } catch (err) {
    writer.destroy(err as Error);
    throw session.translate(err, 'backing up large objects');
  }
  writer.end();
  await finished;
  progress({ type: 'unit-done', name: stream, items: writer.itemCount, bytes });
}

/**
 * Heap in use from which a backup of a packed catalog collects where its data phase starts, and
 * from where V8 then lets the old space grow by only a third of what is live before its next full
 * collection (a settled point: collect-at-garbage-points.ts). With 20,000 tables 28–40 MB are in
 * use there; left to its own growth factor V8 let the data phase's per-table garbage take the heap
 * to ~85 MB, the backup's peak once the catalog was resolved on positions. 3,000 tables are at
 * 15–20 MB, well under 150 MiB of RSS: the more frequent collections would only cost them CPU.
 */
const DATA_PHASE_COLLECT_FROM = 24 * 1024 * 1024;

/** At most this many tables, and this many estimated bytes, in one query. */
const BATCH_TABLES = 100;
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Cuts the copy queue into tasks: a table or part of its own, or up to
 * {@link BATCH_TABLES} small tables copied with one query, so thousands of
 * small tables do not cost a round trip each. The scheduler orders the tasks by size.
 */
function batchSmallTables<T extends { part: TablePart }>(queue: T[], batching: boolean): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of queue) {
    const small = batching && isSmallPart(item.part);
    if (!small) {
      out.push([item]);
      continue;
    }
    if (batch.length >= BATCH_TABLES || bytes + item.part.estimatedBytes > BATCH_BYTES) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += item.part.estimatedBytes;
  }
  if (batch.length) out.push(batch);
  return out;
}

/** "3 tables", "1 table and 2 large objects": parts of a table count once. */
function tablesAndLargeObjects(tables: number, largeObjects: number | undefined): string {
  return `${countUnits('postgres', tables)}${largeObjects ? ` and ${counted(largeObjects, 'large object')}` : ''}`;
}
