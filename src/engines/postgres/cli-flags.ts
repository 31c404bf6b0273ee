import { UsageError } from '../../errors.js';
import type { EngineFlag } from '../plugin.js';
import { parseRoleMap } from './role-map.js';

/** The PostgreSQL engine's CLI flags, per command, and the option each sets (see {@link EngineFlag}). */

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

/** Table selection means the same at backup and at restore. */
const SELECTION: EngineFlag[] = [
  {
    flags: '--schema <pattern>',
    option: 'includeSchemas',
    description: 'only these schemas (glob, repeatable)',
    from: 'schema',
    repeatable: true,
  },
  {
    flags: '--exclude-schema <pattern>',
    option: 'excludeSchemas',
    description: 'skip these schemas (repeatable)',
    from: 'excludeSchema',
    repeatable: true,
  },
  {
    flags: '--table <pattern>',
    option: 'includeTables',
    description: 'only these tables, [schema.]table glob (repeatable)',
    from: 'table',
    repeatable: true,
  },
  {
    flags: '--exclude-table <pattern>',
    option: 'excludeTables',
    description: 'skip these tables (repeatable)',
    from: 'excludeTable',
    repeatable: true,
  },
];

/** pg_dump's -b / -B: large objects come with a whole-database backup or restore, not with a selection. */
const LARGE_OBJECTS: EngineFlag[] = [
  {
    flags: '--large-objects',
    option: 'largeObjects',
    description: 'include large objects even with --schema/--table',
    from: 'largeObjects',
  },
  {
    flags: '--no-large-objects',
    option: 'largeObjects',
    description: 'leave large objects out',
    from: 'largeObjects',
  },
];

const BACKUP: EngineFlag[] = [
  ...SELECTION,
  {
    flags: '--exclude-table-data <pattern>',
    option: 'excludeTableData',
    description: "back up these tables' definitions but not their rows (repeatable)",
    from: 'excludeTableData',
    repeatable: true,
  },
  { flags: '--schema-only', option: 'schemaOnly', description: 'schema without data' },
  { flags: '--data-only', option: 'dataOnly', description: 'data without schema' },
  ...LARGE_OBJECTS,
  {
    flags: '--globals',
    option: 'globals',
    description: 'also back up roles and tablespaces (like pg_dumpall --globals-only)',
  },
  {
    flags: '--globals-only',
    option: 'globalsOnly',
    description: 'back up only roles and tablespaces (URL: any database)',
  },
  {
    flags: '--role-passwords',
    option: 'rolePasswords',
    description: 'with --globals: include role password hashes',
  },
  {
    flags: '--lock-timeout <ms>',
    option: 'lockTimeoutMs',
    description: 'give up when a table cannot be locked this fast',
    from: 'lockTimeout',
    parse: (v) => wholeNumber('--lock-timeout', v as string),
  },
  {
    flags: '--table-part-size <MiB>',
    option: 'splitTableBytes',
    description:
      'with --jobs > 1, copy tables of twice this size in parts on several jobs (default 64; 0: never)',
    from: 'tablePartSize',
    parse: (v) => wholeNumber('--table-part-size', v as string) * 1024 * 1024,
  },
];

const RESTORE: EngineFlag[] = [
  { flags: '--create', option: 'create', description: 'create the target database if missing' },
  { flags: '--clean', option: 'clean', description: 'drop the archived objects in the target first' },
  { flags: '--schema-only', option: 'schemaOnly', description: 'restore the schema only' },
  { flags: '--data-only', option: 'dataOnly', description: 'load data into existing tables' },
  ...SELECTION,
  ...LARGE_OBJECTS,
  {
    flags: '--single-transaction',
    option: 'singleTransaction',
    description: 'all or nothing, in one transaction',
  },
  {
    flags: '--no-owner',
    option: 'owner',
    description: 'do not restore object owners (objects belong to the restoring user)',
    from: 'owner',
  },
  { flags: '--owner', option: 'owner', description: 'restore owners (the default; kept for older scripts)' },
  { flags: '--no-acl', option: 'acl', description: 'do not restore grants and revokes', from: 'acl' },
  {
    flags: '--map-role <archived=target>',
    option: 'mapRoles',
    description: 'owners and grants of an archived role go to a target role (repeatable)',
    from: 'mapRole',
    repeatable: true,
    parse: (v) => parseRoleMap(v as string[]),
  },
  {
    flags: '--globals',
    option: 'globals',
    description: 'first create the archived roles and tablespaces missing on the server',
  },
  {
    flags: '--globals-matching <glob>',
    option: 'globalsMatching',
    description: 'with --globals: only roles and tablespaces whose names match (repeatable)',
    from: 'globalsMatching',
    repeatable: true,
  },
  {
    flags: '--alter-existing-roles',
    option: 'alterExistingRoles',
    description: 'with --globals: make existing roles match the archive instead of reporting how they differ',
  },
  {
    flags: '--insert-mode <mode>',
    option: 'insertMode',
    description: 'auto, copy or insert (for servers without COPY FROM STDIN)',
    parse: (v) => oneOf('--insert-mode', v as string, ['auto', 'copy', 'insert']),
  },
  {
    flags: '--disable-triggers',
    option: 'disableTriggers',
    description: 'with --data-only: disable triggers and FK checks while loading',
  },
  {
    flags: '--skip-missing-features',
    option: 'skipMissingFeatures',
    description: 'into an older server: leave out (with a warning) objects needing features it lacks',
  },
];

/** `inspect --list/--sql`: the selection a restore takes, so the listing shows what that restore would write. */
const INSPECT: EngineFlag[] = [
  ...SELECTION,
  ...LARGE_OBJECTS,
  {
    flags: '--no-owner',
    option: 'owner',
    description: 'with --sql: leave out ALTER … OWNER TO',
    from: 'owner',
  },
  { flags: '--no-acl', option: 'acl', description: 'with --sql: leave out grants and revokes', from: 'acl' },
];

export const postgresFlags = { backup: BACKUP, restore: RESTORE, inspect: INSPECT };
