import type { Command } from 'commander';
import type { EngineName } from '../engines/engine.js';
import { parseRoleMap } from '../engines/postgres/role-map.js';
import { UsageError } from '../errors.js';

/**
 * Engine-specific flags and how they map onto engine options. One table per
 * command, so a flag meant for the other engine is reported instead of being
 * silently ignored.
 */
interface FlagSpec {
  flags: string;
  description: string;
  engine: EngineName;
  /** Key in the engine's options object; also commander's camel-cased option name unless `from` says otherwise. */
  option: string;
  from?: string;
  repeatable?: boolean;
  /** Turns the raw flag value (a string, or strings when repeatable) into the option value. */
  parse?: (value: string | string[]) => unknown;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function parseQueries(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `--query takes NAMESPACE=JSON, got ${v}`,
        'e.g. --query \'shop.orders={"year":2024}\'',
      );
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

function wholeNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} takes a whole number, got ${value}`);
  return n;
}

function oneOf(name: string, value: string, allowed: string[]): string {
  if (!allowed.includes(value))
    throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got ${value}`);
  return value;
}

/** Shorthand for one flag: `option` is the engine option it sets. */
function flag(
  engine: EngineName,
  flags: string,
  option: string,
  description: string,
  extra: Pick<FlagSpec, 'from' | 'repeatable' | 'parse'> = {},
): FlagSpec {
  const label = engine === 'postgres' ? 'PostgreSQL' : 'MongoDB';
  return { engine, flags, option, description: `${label}: ${description}`, ...extra };
}

/** Table selection means the same at backup and at restore. */
const POSTGRES_SELECTION: FlagSpec[] = [
  flag('postgres', '--schema <pattern>', 'includeSchemas', 'only these schemas (glob, repeatable)', {
    from: 'schema',
    repeatable: true,
  }),
  flag('postgres', '--exclude-schema <pattern>', 'excludeSchemas', 'skip these schemas (repeatable)', {
    from: 'excludeSchema',
    repeatable: true,
  }),
  flag(
    'postgres',
    '--table <pattern>',
    'includeTables',
    'only these tables, [schema.]table glob (repeatable)',
    {
      from: 'table',
      repeatable: true,
    },
  ),
  flag('postgres', '--exclude-table <pattern>', 'excludeTables', 'skip these tables (repeatable)', {
    from: 'excludeTable',
    repeatable: true,
  }),
];

/** pg_dump's -b / -B: large objects come with a whole-database backup or restore, not with a selection. */
const POSTGRES_LARGE_OBJECTS: FlagSpec[] = [
  flag('postgres', '--large-objects', 'largeObjects', 'include large objects even with --schema/--table', {
    from: 'largeObjects',
  }),
  flag('postgres', '--no-large-objects', 'largeObjects', 'leave large objects out', { from: 'largeObjects' }),
];

/** Namespace filters mean the same at backup and at restore. */
const MONGO_NAMESPACES: FlagSpec[] = [
  flag(
    'mongodb',
    '--ns-include <pattern>',
    'include',
    'only namespaces matching a db.collection glob (repeatable)',
    {
      from: 'nsInclude',
      repeatable: true,
    },
  ),
  flag('mongodb', '--ns-exclude <pattern>', 'exclude', 'skip namespaces matching (repeatable)', {
    from: 'nsExclude',
    repeatable: true,
  }),
];

export const BACKUP_FLAGS: FlagSpec[] = [
  ...POSTGRES_SELECTION,
  flag(
    'postgres',
    '--exclude-table-data <pattern>',
    'excludeTableData',
    "back up these tables' definitions but not their rows (repeatable)",
    { from: 'excludeTableData', repeatable: true },
  ),
  flag('postgres', '--schema-only', 'schemaOnly', 'schema without data'),
  flag('postgres', '--data-only', 'dataOnly', 'data without schema'),
  ...POSTGRES_LARGE_OBJECTS,
  flag(
    'postgres',
    '--globals',
    'globals',
    'also back up roles and tablespaces (like pg_dumpall --globals-only)',
  ),
  flag('postgres', '--globals-only', 'globalsOnly', 'back up only roles and tablespaces (URL: any database)'),
  flag('postgres', '--role-passwords', 'rolePasswords', 'with --globals: include role password hashes'),
  flag(
    'postgres',
    '--lock-timeout <ms>',
    'lockTimeoutMs',
    'give up when a table cannot be locked this fast',
    {
      from: 'lockTimeout',
      parse: (v) => wholeNumber('--lock-timeout', v as string),
    },
  ),
  flag(
    'postgres',
    '--table-part-size <MiB>',
    'splitTableBytes',
    'with --jobs > 1, copy tables of twice this size in parts on several jobs (default 64; 0: never)',
    {
      from: 'tablePartSize',
      parse: (v) => wholeNumber('--table-part-size', v as string) * 1024 * 1024,
    },
  ),
  flag(
    'mongodb',
    '--db <name>',
    'databases',
    "back up this database (repeatable; default: the URL's, or all)",
    {
      from: 'db',
      repeatable: true,
    },
  ),
  ...MONGO_NAMESPACES,
  flag(
    'mongodb',
    '--query <ns=json>',
    'query',
    'filter a namespace with an Extended JSON query (repeatable)',
    {
      repeatable: true,
      parse: (v) => parseQueries(v as string[]),
    },
  ),
  flag('mongodb', '--oplog', 'oplog', 'capture the oplog for a point-in-time backup (replica sets)'),
  flag('mongodb', '--users-and-roles', 'usersAndRoles', 'include users and roles'),
];

export const RESTORE_FLAGS: FlagSpec[] = [
  flag('postgres', '--create', 'create', 'create the target database if missing'),
  flag('postgres', '--clean', 'clean', 'drop the archived objects in the target first'),
  flag('postgres', '--schema-only', 'schemaOnly', 'restore the schema only'),
  flag('postgres', '--data-only', 'dataOnly', 'load data into existing tables'),
  ...POSTGRES_SELECTION,
  ...POSTGRES_LARGE_OBJECTS,
  flag('postgres', '--single-transaction', 'singleTransaction', 'all or nothing, in one transaction'),
  flag(
    'postgres',
    '--no-owner',
    'owner',
    'do not restore object owners (objects belong to the restoring user)',
    {
      from: 'owner',
    },
  ),
  flag('postgres', '--owner', 'owner', 'restore owners (the default; kept for older scripts)'),
  flag('postgres', '--no-acl', 'acl', 'do not restore grants and revokes', { from: 'acl' }),
  flag(
    'postgres',
    '--map-role <archived=target>',
    'mapRoles',
    'owners and grants of an archived role go to a target role (repeatable)',
    {
      from: 'mapRole',
      repeatable: true,
      parse: (v) => parseRoleMap(v as string[]),
    },
  ),
  flag(
    'postgres',
    '--globals',
    'globals',
    'first create the archived roles and tablespaces missing on the server',
  ),
  flag(
    'postgres',
    '--globals-matching <glob>',
    'globalsMatching',
    'with --globals: only roles and tablespaces whose names match (repeatable)',
    { from: 'globalsMatching', repeatable: true },
  ),
  flag(
    'postgres',
    '--alter-existing-roles',
    'alterExistingRoles',
    'with --globals: make existing roles match the archive instead of reporting how they differ',
  ),
  flag(
    'postgres',
    '--insert-mode <mode>',
    'insertMode',
    'auto, copy or insert (for servers without COPY FROM STDIN)',
    {
      parse: (v) => oneOf('--insert-mode', v as string, ['auto', 'copy', 'insert']),
    },
  ),
  flag(
    'postgres',
    '--disable-triggers',
    'disableTriggers',
    'with --data-only: disable triggers and FK checks while loading',
  ),
  flag(
    'postgres',
    '--skip-missing-features',
    'skipMissingFeatures',
    'into an older server: leave out (with a warning) objects needing features it lacks',
  ),
  flag('mongodb', '--drop', 'drop', 'drop each collection before restoring it'),
  ...MONGO_NAMESPACES,
  flag('mongodb', '--ns-from <pattern>', 'nsFrom', 'rename from (pairs with --ns-to, repeatable)', {
    repeatable: true,
  }),
  flag('mongodb', '--ns-to <pattern>', 'nsTo', 'rename to (repeatable)', { repeatable: true }),
  flag('mongodb', '--stop-on-error', 'stopOnError', 'halt at the first insert error'),
  flag('mongodb', '--no-oplog-replay', 'oplogReplay', 'do not replay the captured oplog'),
  flag('mongodb', '--users-and-roles', 'usersAndRoles', 'restore users and roles'),
];

/** `inspect --list/--sql`: the selection a restore takes, so the listing shows what that restore would write. */
export const INSPECT_FLAGS: FlagSpec[] = [
  ...POSTGRES_SELECTION,
  ...POSTGRES_LARGE_OBJECTS,
  flag('postgres', '--no-owner', 'owner', 'with --sql: leave out ALTER … OWNER TO', { from: 'owner' }),
  flag('postgres', '--no-acl', 'acl', 'with --sql: leave out grants and revokes', { from: 'acl' }),
  ...MONGO_NAMESPACES,
];

export function addEngineFlags(command: Command, specs: FlagSpec[]): Command {
  for (const spec of specs) {
    if (spec.repeatable) command.option(spec.flags, spec.description, collect);
    else command.option(spec.flags, spec.description);
  }
  return command;
}

/** Picks the flags given for `engine` into its options object; rejects flags of the other engine. */
export function engineOptionsFrom(
  specs: FlagSpec[],
  opts: Record<string, unknown>,
  engine: EngineName,
  command: Command,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const key = spec.from ?? spec.option;
    const value = opts[key];
    const isDefault = command.getOptionValueSource(key) === 'default' || value === undefined;
    if (isDefault) continue;
    if (spec.engine !== engine) {
      // A flag shared by both tables (e.g. --schema-only) is fine when the other spec matches this engine.
      if (specs.some((s) => s !== spec && s.flags === spec.flags && s.engine === engine)) continue;
      throw new UsageError(
        `${spec.flags.split(' ')[0]} applies to ${spec.engine} only, but this is a ${engine} ${command.name()}`,
      );
    }
    out[spec.option] = spec.parse ? spec.parse(value as string | string[]) : value;
  }
  return out;
}
