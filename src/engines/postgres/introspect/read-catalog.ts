import { PackedTexts } from '../../../archive/packed-texts.js';
import { garbagePoint } from '../../../garbage-points.js';
import type { PgSession } from '../connect.js';
import type { PgObject } from '../model.js';
import { orderObjects } from '../order.js';
import type { NameFilter } from '../patterns.js';
import { readAccessMethods } from './access-methods.js';
import { readCasts } from './casts.js';
import { type Census, EVERY_KIND } from './census.js';
import { readCollations } from './collations.js';
import { readConstraints } from './constraints.js';
import { type CatalogContext, type CatalogObject, rows } from './context.js';
import { readConversions } from './conversions.js';
import { readDefaultPrivileges } from './default-privileges.js';
import { type DependLinks, readDependLinks, resolveDependencies } from './depend.js';
import { readEventTriggers } from './event-triggers.js';
import { readForeignData } from './foreign-data.js';
import { readRoutines } from './functions.js';
import { readIndexes } from './indexes.js';
import { readLanguages } from './languages.js';
import { readOperatorClasses } from './operator-classes.js';
import { readOperators } from './operators.js';
import { PackedCatalog } from './packed-catalog.js';
import { PackedObject, packObject } from './packed-object.js';
import { type CatalogTableData, packTableData } from './packed-table-data.js';
import { readPolicies } from './policies.js';
import { readPublications } from './publications.js';
import { resolveAndOrder } from './resolve-positions.js';
import { readRules } from './rules.js';
import { readExtensions, readSchemas } from './schemas.js';
import { readSequences, type SequencesRead } from './sequences.js';
import { shareStrings } from './shared-strings.js';
import { readShellTypes } from './shell-types.js';
import { notExtensionMember, SYSTEM_SCHEMA_FILTER } from './sql.js';
import { readStatistics } from './statistics.js';
import { readSubscriptions } from './subscriptions.js';
import { readSystemAcls } from './system-acl.js';
import { readTables, type TablesRead } from './tables.js';
import { readTextSearch } from './text-search.js';
import { readTransforms } from './transforms.js';
import { readTriggers } from './triggers.js';
import { readTypes } from './types.js';
import { readViews } from './views.js';

/** Names of the user schemas the filter selects (extension-owned schemas excluded). */
export async function listSchemas(
  ctx: Pick<CatalogContext, 'session'>,
  filter: NameFilter,
): Promise<string[]> {
  const list = await rows<{ nspname: string }>(
    ctx as CatalogContext,
    `SELECT n.nspname FROM pg_catalog.pg_namespace n
     WHERE ${SYSTEM_SCHEMA_FILTER} AND ${notExtensionMember('pg_namespace', 'n.oid')} ORDER BY n.nspname`,
  );
  return list.map((r) => r.nspname).filter((name) => filter.schema(name));
}

export interface CatalogRead {
  /** Dependency-ordered objects, pre-data then post-data. */
  objects: PgObject[];
  /** The objects were packed as they were read (PACK_FROM_RELATIONS): most are PackedObjects. */
  packed: boolean;
  /** They were resolved and ordered on positions (resolve-positions.ts), not as objects. */
  positional: boolean;
  tables: TablesRead['data'];
  sequences: SequencesRead['all'];
}

/**
 * Reads every supported object in the selected schemas and relations and
 * returns them in restore order. Runs in the backup's snapshot transaction,
 * after the selected tables are locked.
 *
 * `helpers` are more sessions in the same snapshot, with the same settings as
 * far as reading the catalog goes: the readers' queries are shared out among
 * all sessions, so one server answers while the client turns the last answer
 * into objects (with thousands of tables each reader waits seconds on the server).
 * The result is the same whichever session answers what.
 */
export async function readCatalog(
  ctx: CatalogContext,
  helpers: PgSession[] = [],
  /**
   * The kinds the database has (see census.ts): readers of the others do not run. While it is
   * being asked the readers every database needs are sent already (the tables' chain among them),
   * and only those of the kinds it counts wait for it.
   */
  census: Census | Promise<Census> = EVERY_KIND,
  /**
   * Called once every row is in and before the objects are ordered: the sessions are free from
   * then on, so the caller can send its next questions and the server answers them while the
   * client orders (with the sequences read, whose values the caller may want).
   */
  onRowsRead?: (sequences: SequencesRead['all']) => void,
  /**
   * pg_depend's links, when the caller asked them already (on a helper, while the leader
   * locked the relations: they need neither the locks nor the relations); else a session reads them.
   */
  links?: Promise<DependLinks>,
  /** Relations from which the objects are packed as they are read (see PACK_FROM_RELATIONS). */
  packFromRelations = PACK_FROM_RELATIONS,
): Promise<CatalogRead> {
  const packed =
    ctx.relations.length >= packFromRelations ? new PackedCatalog(ctx.relations.length * 5) : undefined;
  const pack = packed && ((object: CatalogObject) => packObject(packed, object));
  // The tables' entries in a store of their own, in small pieces: the data phase reads them biggest
  // table first, each unpacking its piece (64 KiB ones cost ~90 ms of CPU at 3,000 tables).
  const tableTexts = packed && new PackedTexts(TABLE_TEXT_PIECE_SIZE);
  const packEntry = tableTexts && ((entry: CatalogTableData) => packTableData(tableTexts, entry));
  // The caller's context keeps no packer: only the readers' own contexts have it.
  const reading: CatalogContext = pack ? { ...ctx, pack, packTableData: packEntry } : ctx;
  type Reader = (c: CatalogContext) => Promise<CatalogObject[]>;
  const none: Reader = async () => [];
  const ifAny = (kind: keyof Census, reader: Reader): Reader =>
    census instanceof Promise
      ? async (c) => ((await census)[kind] ? reader(c) : [])
      : census[kind]
        ? reader
        : none;
  // The objects come in this order: those read before the sequences and tables, then those after.
  const before: Reader[] = [
    readSchemas,
    readExtensions,
    ifAny('accessMethods', readAccessMethods),
    ifAny('collations', readCollations),
    readTypes,
    readRoutines,
    readShellTypes,
    ifAny('operators', readOperators),
    ifAny('operatorClasses', readOperatorClasses),
    ifAny('casts', readCasts),
    ifAny('transforms', readTransforms),
    ifAny('conversions', readConversions),
    ifAny('textSearch', readTextSearch),
  ];
  const after: Reader[] = [
    readViews,
    readConstraints,
    readIndexes,
    readTriggers,
    ifAny('rules', readRules),
    ifAny('policies', readPolicies),
    ifAny('statistics', readStatistics),
    ifAny('foreignData', readForeignData),
    ifAny('publications', readPublications),
    readSubscriptions,
    ifAny('defaultPrivileges', readDefaultPrivileges),
    ifAny('eventTriggers', readEventTriggers),
    ifAny('languages', readLanguages),
    readSystemAcls,
  ];
  let sequences: SequencesRead | undefined;
  let tables: TablesRead | undefined;
  // Asked once, by the sequences' task or by the tables' own session, whichever comes first.
  let sequencesAsked: Promise<SequencesRead> | undefined;
  const askSequences = (c: CatalogContext) => {
    sequencesAsked ??= readSequences(c);
    return sequencesAsked;
  };
  // Sent in this order: the longest first, so none of them is what the others wait for at the end.
  const readers = [...before, ...after];
  const sendOrder = [...readers.keys()].sort(
    (a, b) => Number(SENT_FIRST.includes(readers[b]!)) - Number(SENT_FIRST.includes(readers[a]!)),
  );
  const tasks: ((c: CatalogContext) => Promise<unknown>)[] = [
    // First, so the first session takes it: the tables' chain of queries is the longest. They
    // need the sequences only for their last query, so another session reads those meanwhile.
    async (c) => {
      // A turn later, when the next task has taken its session; with none free, this session asks them.
      tables = await readTables(
        c,
        Promise.resolve().then(() => askSequences(c)),
      );
    },
    async (c) => {
      sequences = await askSequences(c);
    },
    ...(links ? [] : [(c: CatalogContext) => readDependLinks(c)]),
    ...sendOrder.map((r) => readers[r]!),
  ];
  // Where the readers' answers start (after the tables and sequences, and the links if read here).
  const first = links ? 2 : 3;
  const sent = await shareOut(reading, helpers, tasks);
  const depend = links ? await links : (sent[2]!.value as DependLinks);
  // The readers' answers in their own order again.
  const answers = new Array<(typeof sent)[number]>(readers.length);
  for (let k = 0; k < sendOrder.length; k++) answers[sendOrder[k]!] = sent[first + k]!;
  // Said in the readers' order, as when they were sent in it.
  for (const task of [sent[1]!, sent[0]!, ...sent.slice(2, first), ...answers]) {
    ctx.warnings.push(...task.warnings);
    ctx.incomplete.push(...task.incomplete);
  }
  sent.length = 0;
  if (!sequences || !tables) throw new Error('sequences and tables were not read');
  onRowsRead?.(sequences.all);
  // One list, filled in place (spreads of flattened copies were 8 MiB more with 20,000 tables).
  const all: CatalogObject[] = [];
  // What a reader returned as built is packed here (the readers of most objects pack as they build).
  const add = (list: CatalogObject[]) => {
    for (let i = 0; i < list.length; i++) all.push(pack ? pack(list[i]!) : list[i]!);
  };
  for (let r = 0; r < before.length; r++) add(answers[r]!.value as CatalogObject[]);
  add(sequences.objects);
  add(tables.objects);
  for (let r = before.length; r < answers.length; r++) add(answers[r]!.value as CatalogObject[]);
  // The answers' lists go with `all`, the links with resolveDependencies: nothing here keeps them
  // while the objects are ordered (the links alone are some 4 MiB with 20,000 tables).
  answers.length = 0;
  // The catalog's rows are garbage now, and the objects made from them are kept to the end.
  // Settled: the collection there also gives back the pages it frees (collect-at-garbage-points.ts).
  // A regular one left 20,000 tables' heap at ~40 MB committed over ~21 live, and resolving and
  // ordering grew RSS from that height to the backup's peak (docs/BENCHMARKS.md, "Session 19: bkpeak3").
  garbagePoint(
    'catalog read',
    packed ? { fromHeapBytes: PACKED_CATALOG_READ_COLLECT_FROM, settled: true } : {},
  );
  const tablesRead = countTables(all);
  // A packed catalog is resolved and ordered on positions where it can be; else as objects.
  const resolved = packed && resolveAndOrder(packed, all, depend);
  const kept = resolved ? resolved.kept : resolveDependencies(ctx, all, depend);
  const { ordered, cycles } = resolved ? { ordered: resolved.ordered, cycles: [] } : orderObjects(kept);
  // A cycle no split breaks leaves objects in an order restore may not be able to apply.
  if (cycles.length)
    ctx.incomplete.push(`dependency cycle stowage cannot break, around ${cycles.join(', ')}`);
  for (let i = 0; i < ordered.length; i++) stored(ordered[i]!);
  // Below some thousands of tables the model is not what sets the backup's peak, and pooling is CPU.
  if (tables.data.length >= SHARE_STRINGS_FROM_TABLES) shareStrings(ordered, tables.data);
  return {
    objects: ordered,
    packed: !!packed,
    positional: !!resolved,
    tables: keptTableData(tables.data, tablesRead, kept),
    sequences: sequences.all,
  };
}

/**
 * Readers whose queries cost the server most (a small database: 8-12 ms each, planning
 * included; with thousands of tables, constraints and indexes are among the longest), sent
 * before the others.
 */
const SENT_FIRST: ((c: CatalogContext) => Promise<CatalogObject[]>)[] = [
  readConstraints,
  readIndexes,
  readViews,
  readSystemAcls,
];

/**
 * The data entries of the tables still among the objects (resolveDependencies leaves out a table
 * that depends on one not in the backup). Most catalogs lose none: then the list as it is, and
 * no name of a packed entry is read.
 */
function keptTableData(
  data: CatalogTableData[],
  tablesRead: number,
  kept: readonly CatalogObject[],
): CatalogTableData[] {
  if (countTables(kept) === tablesRead) return data;
  const keptTables = new Set(kept.filter((o) => o.kind === 'table').map((o) => o.id));
  return data.filter((t) => keptTables.has(`table:${t.schema}.${t.name}`));
}

/**
 * Like {@link PACKED_CATALOG_COLLECT_FROM}, for the point where a packed catalog's rows are all read: 25–38 MB are in use there with
 * 20,000 tables, and the garbage is the rows' buffers and their objects, which a collection frees
 * before ordering allocates its arrays on top (RSS keeps the high-water mark of what was allocated).
 * 3,000 tables are at ~13 MB and pay nothing.
 */
export const PACKED_CATALOG_READ_COLLECT_FROM = 20 * 1024 * 1024;

/** Raw bytes per piece of the tables' packed entries (some 20 entries). */
const TABLE_TEXT_PIECE_SIZE = 4096;

/** How many of `objects` are tables. */
function countTables(objects: readonly CatalogObject[]): number {
  let count = 0;
  for (let i = 0; i < objects.length; i++) if (objects[i]!.kind === 'table') count++;
  return count;
}

/**
 * Relations from which the catalog's objects are packed as they are read (packed-object.ts):
 * 2,000 tables are ~10,000 objects, where the footer packs the schema too (PACK_FROM_ITEMS).
 * Below, holding the objects costs less than packing them.
 */
export const PACK_FROM_RELATIONS = 2000;

/**
 * Heap in use from which a backup of a packed catalog collects at its garbage points: what stays
 * live is small (20,000 tables: ~50 MB after the catalog read, ~30 once the schema is packed for
 * the footer), and V8 would let the heap grow to about twice that before its own next collection.
 */
export const PACKED_CATALOG_COLLECT_FROM = 48 * 1024 * 1024;

/** Tables from which shareStrings pools the model's repeated names (25 ms of CPU at 3,000, 7 MiB saved at 20,000). */
const SHARE_STRINGS_FROM_TABLES = 5000;

/**
 * The object as the schema stores it: the readers' own fields cleared in
 * place, where they were left out of a copy of each object before. With
 * 20,000 tables those copies were 100,000 more objects to collect while the
 * backup's heap is at its largest, and `detachable`'s closures keep their
 * table's catalog rows. JSON leaves undefined fields out, so the manifest is
 * the same.
 */
function stored(object: CatalogObject): void {
  const clear = object as Partial<Pick<CatalogObject, 'keys' | 'detachable' | 'shell'>>;
  clear.keys = undefined;
  // A packed object's other fields are in its text (as stored already).
  if (object instanceof PackedObject) return;
  // Only fields the object has: assigning one it lacks adds it, and the object grows a
  // property store of its own (100,000 of them, 6 MiB, with 20,000 tables).
  if (clear.detachable !== undefined) clear.detachable = undefined;
  if (clear.shell !== undefined) clear.shell = undefined;
}

/**
 * Tasks each session runs at once. With one, a session's server sat idle while
 * the client turned its last answer into objects (143 ms between two queries
 * on the leader at 3,000 tables), and the client waited while the server
 * answered. With two, the driver queues the second task's query and sends it
 * the moment the first one's answer is in: the server works on it while the
 * client reads that answer. Queries of one session still run one at a time.
 */
export const TASKS_PER_SESSION = 2;

/**
 * Runs the tasks on `ctx.session` and the helpers, each session taking the
 * next task when one of its {@link TASKS_PER_SESSION} places is free (the
 * first session takes the first task). Each task reports into warning and
 * incomplete lists of its own, which the caller adds to `ctx`'s in an order of
 * its own, so what a backup says does not depend on timing.
 */
async function shareOut<T>(
  ctx: CatalogContext,
  helpers: PgSession[],
  tasks: ((c: CatalogContext) => Promise<T>)[],
): Promise<{ value: T; warnings: string[]; incomplete: string[] }[]> {
  const out: { value: T; warnings: string[]; incomplete: string[] }[] = [];
  let next = 0;
  const sessions = [ctx.session, ...helpers];
  // Each session's first place before any second one: every session has a task before one gets two.
  const places = Array.from({ length: TASKS_PER_SESSION }, () => sessions).flat();
  await Promise.all(
    places.map(async (session) => {
      while (next < tasks.length) {
        const i = next++;
        const own: CatalogContext = { ...ctx, session, warnings: [], incomplete: [] };
        const value = await (tasks[i] as (c: CatalogContext) => Promise<T>)(own);
        out[i] = { value, warnings: own.warnings, incomplete: own.incomplete };
      }
    }),
  );
  return out;
}
