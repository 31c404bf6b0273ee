import { StowageError } from '../../errors.js';
import type { PgObject } from './model.js';
import { idLabel, objectLabel } from './object-label.js';
import { withChanges } from './packed-object.js';
import type { Selection } from './selection.js';

/** A server feature an archived object may need, and the release that brought it. */
interface Feature {
  name: string;
  since: number;
  /** Whether the object's statements use the feature. */
  usedBy(object: PgObject, sql: string): boolean;
}

const sqlMatches = (re: RegExp) => (_: PgObject, sql: string) => re.test(sql);

/**
 * Features newer than the oldest supported server (9.6) that statements of an
 * archive can use. Each is detected from the statements themselves, which the
 * source server generated.
 */
const FEATURES: Feature[] = [
  {
    name: 'identity columns',
    since: 100000,
    usedBy: sqlMatches(/\bGENERATED (ALWAYS|BY DEFAULT) AS IDENTITY\b/),
  },
  { name: 'partitioned tables', since: 100000, usedBy: sqlMatches(/\bPARTITION (BY|OF)\b/) },
  { name: 'extended statistics', since: 100000, usedBy: (o) => o.kind === 'statistics' },
  {
    name: 'publications',
    since: 100000,
    usedBy: (o) => o.kind === 'publication' || o.kind === 'publication-table',
  },
  { name: 'subscriptions', since: 100000, usedBy: (o) => o.kind === 'subscription' },
  { name: 'ICU collations', since: 100000, usedBy: sqlMatches(/\bprovider = icu\b/) },
  { name: 'procedures', since: 110000, usedBy: sqlMatches(/^\s*CREATE (OR REPLACE )?PROCEDURE\b/m) },
  { name: 'hash partitioning', since: 110000, usedBy: sqlMatches(/\bPARTITION BY HASH\b/) },
  {
    name: 'default partitions',
    since: 110000,
    usedBy: sqlMatches(/\bPARTITION OF \S+ DEFAULT\b|\bATTACH PARTITION \S+ DEFAULT\b/),
  },
  {
    name: 'covering indexes (INCLUDE)',
    since: 110000,
    usedBy: (o, sql) => (o.kind === 'index' || o.kind === 'constraint') && /\)\s+INCLUDE \(/.test(sql),
  },
  { name: 'generated columns', since: 120000, usedBy: sqlMatches(/\bGENERATED ALWAYS AS \(.*\) STORED\b/s) },
  { name: 'nondeterministic collations', since: 120000, usedBy: sqlMatches(/\bdeterministic = false\b/) },
  { name: 'planner support functions', since: 120000, usedBy: sqlMatches(/^\s*SUPPORT \S+/m) },
  { name: 'multirange types', since: 140000, usedBy: sqlMatches(/multirange\b/i) },
  { name: 'column compression', since: 140000, usedBy: sqlMatches(/\bCOMPRESSION (pglz|lz4)\b/i) },
  { name: 'SQL-standard function bodies', since: 140000, usedBy: sqlMatches(/^(BEGIN ATOMIC|RETURN )/m) },
  { name: 'NULLS NOT DISTINCT', since: 150000, usedBy: sqlMatches(/\bNULLS NOT DISTINCT\b/) },
  { name: 'the MAINTAIN privilege', since: 170000, usedBy: sqlMatches(/\bGRANT [A-Z, ]*\bMAINTAIN\b/) },
  {
    name: 'virtual generated columns',
    since: 180000,
    usedBy: sqlMatches(/\bGENERATED ALWAYS AS \(.*\) VIRTUAL\b/s),
  },
  { name: 'temporal keys (WITHOUT OVERLAPS)', since: 180000, usedBy: sqlMatches(/\bWITHOUT OVERLAPS\b/) },
];

/** `90624` → `9.6`, `170007` → `17`: the major version as PostgreSQL names it. */
export function majorVersionName(versionNum: number): string {
  return versionNum >= 100000
    ? String(Math.floor(versionNum / 10000))
    : `${Math.floor(versionNum / 10000)}.${Math.floor(versionNum / 100) % 100}`;
}

/**
 * Statements rewritten for an older target where the same object is spelled
 * differently there. Only rewrites that keep the meaning exactly.
 */
function adaptStatement(sql: string, target: number): string {
  let out = sql;
  if (target < 110000) {
    // EXECUTE FUNCTION and the ROUTINE keyword are 11+; before, the same objects are spelled FUNCTION.
    out = out.replace(/\bEXECUTE FUNCTION\b/g, 'EXECUTE PROCEDURE');
    if (/^(COMMENT|GRANT|REVOKE|ALTER|DROP)\b/.test(out)) {
      out = out.replace(/ ROUTINES /, ' FUNCTIONS ').replace(/ ROUTINE /, ' FUNCTION ');
    }
  }
  if (target < 100000) {
    // Sequences got a type in 10; before, every sequence is bigint (the explicit bounds keep the range).
    out = out.replace(/^(CREATE (?:UNLOGGED )?SEQUENCE \S+ )AS \S+ /, '$1');
    // Collation providers came with 10 (before, every collation is libc).
    out = out.replace(/\bprovider = libc, /, '').replace(/, provider = libc\b/, '');
  }
  return out;
}

/** Targets from this release on spell every statement as archived: {@link adaptStatement} changes nothing. */
const SPELLED_AS_ARCHIVED = 110000;

/** An object with its statements (creation, ownership, grants, drop) in the target's spelling; itself when none changes. */
function spelledFor(o: PgObject, target: number): PgObject {
  if (target >= SPELLED_AS_ARCHIVED) return o;
  const spell = (s: string) => adaptStatement(s, target);
  const { owner, acl, drop } = o;
  return withChanges(o, {
    sql: o.sql.map(spell),
    ...(owner ? { owner: owner.map(spell) } : {}),
    ...(acl ? { acl: acl.map(spell) } : {}),
    ...(drop ? { drop: spell(drop) } : {}),
  });
}

/**
 * Replaces the contents of `list` with `items`, in place. Not `splice(0, n, ...items)`:
 * spread arguments live on the stack, and some hundred thousand objects overflow it.
 */
function replaceContents<T>(list: T[], items: readonly T[]): void {
  list.length = 0;
  for (const item of items) list.push(item);
}

/** What {@link fitToServer} found: a note for the user when the versions differ. */
export interface ServerFit {
  /** `PostgreSQL 17 → PostgreSQL 12`, when the archive comes from another major version. */
  pair?: string;
}

/**
 * Fits a restore to the target server's version, in place: statements are
 * adapted to its spelling, and objects that need a feature it lacks are
 * refused up front (before anything is applied), naming each object and
 * feature, or left out with a warning when `how.skip` is set, together with what
 * depends on them and their data.
 */
export function fitToServer(
  sourceVersion: number,
  targetVersion: number,
  lists: { selection: Selection; objectLists: PgObject[][]; tables: unknown[]; sequences: unknown[] },
  how: { skip: boolean; owner: boolean },
  warnings: string[],
): ServerFit {
  const { skip } = how;
  const source = majorVersionName(sourceVersion);
  const target = majorVersionName(targetVersion);
  const fit: ServerFit = source !== target ? { pair: `PostgreSQL ${source} → PostgreSQL ${target}` } : {};
  if (targetVersion >= sourceVersion) {
    // Statements stowage writes itself (CREATE SEQUENCE … AS) need the spelling of a target before 10 even from the same version.
    if (targetVersion < SPELLED_AS_ARCHIVED) {
      for (const list of [lists.selection.objects, ...lists.objectLists]) {
        replaceContents(
          list,
          list.map((o) => spelledFor(o, targetVersion)),
        );
      }
    }
    return fit;
  }

  const lacking: { object: PgObject; feature: Feature; grants?: string[] }[] = [];
  const missing = (object: PgObject, sql: string) =>
    FEATURES.find((f) => f.since > targetVersion && f.since <= sourceVersion && f.usedBy(object, sql));
  for (const object of lists.selection.objects) {
    const feature = missing(object, object.sql.join('\n'));
    if (feature) {
      lacking.push({ object, feature });
      continue;
    }
    // A grant the target cannot express costs only that grant, not the object (and grants apply only with owner).
    const grants = how.owner ? (object.acl ?? []).filter((g) => missing(object, g)) : [];
    const grantFeature = grants[0] && missing(object, grants[0]);
    if (grantFeature) lacking.push({ object, feature: grantFeature, grants });
  }
  if (lacking.length && !skip) {
    const list = lacking
      .map(
        ({ object, feature, grants }) =>
          `${objectLabel(object)} ${grants ? 'has a grant of' : 'uses'} ${feature.name} (PostgreSQL ${majorVersionName(feature.since)}+)`,
      )
      .join('; ');
    throw new StowageError(
      'pg-version',
      `cannot restore this PostgreSQL ${source} backup into PostgreSQL ${target}, which lacks what ${lacking.length === 1 ? 'this object needs' : 'these objects need'}: ${list}`,
      `restore into PostgreSQL ${majorVersionName(Math.max(...lacking.map((l) => l.feature.since)))} or newer, or pass --skip-missing-features to leave these objects out`,
    );
  }

  const removed = new Set(lacking.filter((l) => !l.grants).map((l) => l.object.id));
  const droppedGrants = new Map<string, Set<string>>();
  for (const { object, feature, grants } of lacking) {
    if (grants) {
      droppedGrants.set(object.id, new Set(grants));
      warnings.push(
        `${grants.length} grant(s) on ${objectLabel(object)} left out: ${feature.name}, which PostgreSQL ${target} lacks`,
      );
    } else {
      warnings.push(
        `${objectLabel(object)} left out: it uses ${feature.name}, which PostgreSQL ${target} lacks`,
      );
    }
  }
  // Objects are in dependency order, so one pass catches dependents of dependents.
  for (const o of lists.selection.objects) {
    if (removed.has(o.id)) continue;
    const missing = o.deps.find((d) => removed.has(d));
    if (missing) {
      removed.add(o.id);
      if (o.kind !== 'default' && o.kind !== 'refresh')
        warnings.push(
          `${objectLabel(o)} left out: it depends on ${idLabel(missing)}, which PostgreSQL ${target} cannot hold`,
        );
    }
  }
  const adapt = (o: PgObject): PgObject => {
    const dropped = droppedGrants.get(o.id);
    const acl = dropped && o.acl;
    const kept = dropped && acl ? withChanges(o, { acl: acl.filter((g) => !dropped.has(g)) }) : o;
    return spelledFor(kept, targetVersion);
  };
  for (const list of [lists.selection.objects, ...lists.objectLists]) {
    replaceContents(list, list.filter((o) => !removed.has(o.id)).map(adapt));
  }
  const tableGone = (t: { schema: string; name: string }) => removed.has(`table:${t.schema}.${t.name}`);
  for (const list of [lists.selection.tables, lists.tables] as { schema: string; name: string }[][]) {
    replaceContents(
      list,
      list.filter((t) => !tableGone(t)),
    );
  }
  for (const list of [lists.selection.sequences, lists.sequences] as {
    schema: string;
    name: string;
    relation?: { schema: string; name: string };
  }[][]) {
    replaceContents(
      list,
      list.filter(
        (s) => !(s.relation ? tableGone(s.relation) : removed.has(`sequence:${s.schema}.${s.name}`)),
      ),
    );
  }
  return fit;
}
