import type { Command } from 'commander';
import type { EngineName } from '../engines/engine.js';
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
  parse?: (values: string[]) => unknown;
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

export const BACKUP_FLAGS: FlagSpec[] = [
  {
    flags: '--schema <pattern>',
    description: 'PostgreSQL: only these schemas (glob, repeatable)',
    engine: 'postgres',
    option: 'includeSchemas',
    from: 'schema',
    repeatable: true,
  },
  {
    flags: '--exclude-schema <pattern>',
    description: 'PostgreSQL: skip these schemas (repeatable)',
    engine: 'postgres',
    option: 'excludeSchemas',
    from: 'excludeSchema',
    repeatable: true,
  },
  {
    flags: '--table <pattern>',
    description: 'PostgreSQL: only these tables, [schema.]table glob (repeatable)',
    engine: 'postgres',
    option: 'includeTables',
    from: 'table',
    repeatable: true,
  },
  {
    flags: '--exclude-table <pattern>',
    description: 'PostgreSQL: skip these tables (repeatable)',
    engine: 'postgres',
    option: 'excludeTables',
    from: 'excludeTable',
    repeatable: true,
  },
  {
    flags: '--schema-only',
    description: 'PostgreSQL: schema without data',
    engine: 'postgres',
    option: 'schemaOnly',
  },
  {
    flags: '--data-only',
    description: 'PostgreSQL: data without schema',
    engine: 'postgres',
    option: 'dataOnly',
  },
  {
    flags: '--db <name>',
    description: "MongoDB: back up this database (repeatable; default: the URL's, or all)",
    engine: 'mongodb',
    option: 'databases',
    from: 'db',
    repeatable: true,
  },
  {
    flags: '--ns-include <pattern>',
    description: 'MongoDB: only namespaces matching db.collection glob (repeatable)',
    engine: 'mongodb',
    option: 'include',
    from: 'nsInclude',
    repeatable: true,
  },
  {
    flags: '--ns-exclude <pattern>',
    description: 'MongoDB: skip namespaces matching (repeatable)',
    engine: 'mongodb',
    option: 'exclude',
    from: 'nsExclude',
    repeatable: true,
  },
  {
    flags: '--query <ns=json>',
    description: 'MongoDB: filter a namespace with an Extended JSON query (repeatable)',
    engine: 'mongodb',
    option: 'query',
    repeatable: true,
    parse: parseQueries,
  },
  {
    flags: '--oplog',
    description: 'MongoDB: capture the oplog for a point-in-time backup (replica sets)',
    engine: 'mongodb',
    option: 'oplog',
  },
  {
    flags: '--users-and-roles',
    description: 'MongoDB: include users and roles',
    engine: 'mongodb',
    option: 'usersAndRoles',
  },
];

export const RESTORE_FLAGS: FlagSpec[] = [
  {
    flags: '--create',
    description: 'PostgreSQL: create the target database if missing',
    engine: 'postgres',
    option: 'create',
  },
  {
    flags: '--clean',
    description: 'PostgreSQL: drop the archived objects in the target first',
    engine: 'postgres',
    option: 'clean',
  },
  {
    flags: '--schema-only',
    description: 'PostgreSQL: restore the schema only',
    engine: 'postgres',
    option: 'schemaOnly',
  },
  {
    flags: '--data-only',
    description: 'PostgreSQL: load data into existing tables',
    engine: 'postgres',
    option: 'dataOnly',
  },
  {
    flags: '--schema <pattern>',
    description: 'PostgreSQL: only these schemas (repeatable)',
    engine: 'postgres',
    option: 'includeSchemas',
    from: 'schema',
    repeatable: true,
  },
  {
    flags: '--exclude-schema <pattern>',
    description: 'PostgreSQL: skip these schemas (repeatable)',
    engine: 'postgres',
    option: 'excludeSchemas',
    from: 'excludeSchema',
    repeatable: true,
  },
  {
    flags: '--table <pattern>',
    description: 'PostgreSQL: only these tables (repeatable)',
    engine: 'postgres',
    option: 'includeTables',
    from: 'table',
    repeatable: true,
  },
  {
    flags: '--exclude-table <pattern>',
    description: 'PostgreSQL: skip these tables (repeatable)',
    engine: 'postgres',
    option: 'excludeTables',
    from: 'excludeTable',
    repeatable: true,
  },
  {
    flags: '--single-transaction',
    description: 'PostgreSQL: all or nothing, in one transaction',
    engine: 'postgres',
    option: 'singleTransaction',
  },
  {
    flags: '--owner',
    description: 'PostgreSQL: restore ownership and grants',
    engine: 'postgres',
    option: 'owner',
  },
  {
    flags: '--drop',
    description: 'MongoDB: drop each collection before restoring it',
    engine: 'mongodb',
    option: 'drop',
  },
  {
    flags: '--ns-include <pattern>',
    description: 'MongoDB: only namespaces matching (repeatable)',
    engine: 'mongodb',
    option: 'include',
    from: 'nsInclude',
    repeatable: true,
  },
  {
    flags: '--ns-exclude <pattern>',
    description: 'MongoDB: skip namespaces matching (repeatable)',
    engine: 'mongodb',
    option: 'exclude',
    from: 'nsExclude',
    repeatable: true,
  },
  {
    flags: '--ns-from <pattern>',
    description: 'MongoDB: rename from (pairs with --ns-to, repeatable)',
    engine: 'mongodb',
    option: 'nsFrom',
    from: 'nsFrom',
    repeatable: true,
  },
  {
    flags: '--ns-to <pattern>',
    description: 'MongoDB: rename to (repeatable)',
    engine: 'mongodb',
    option: 'nsTo',
    from: 'nsTo',
    repeatable: true,
  },
  {
    flags: '--stop-on-error',
    description: 'MongoDB: halt at the first insert error',
    engine: 'mongodb',
    option: 'stopOnError',
  },
  {
    flags: '--no-oplog-replay',
    description: 'MongoDB: do not replay the captured oplog',
    engine: 'mongodb',
    option: 'oplogReplay',
    from: 'oplogReplay',
  },
  {
    flags: '--users-and-roles',
    description: 'MongoDB: restore users and roles',
    engine: 'mongodb',
    option: 'usersAndRoles',
  },
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
    out[spec.option] = spec.parse ? spec.parse(value as string[]) : value;
  }
  return out;
}
