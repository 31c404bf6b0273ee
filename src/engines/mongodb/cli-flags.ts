import { UsageError } from '../../errors.js';
import type { EngineFlag } from '../plugin.js';

/** The MongoDB engine's CLI flags, per command, and the option each sets (see {@link EngineFlag}). */

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

/** Namespace filters mean the same at backup and at restore. */
const NAMESPACES: EngineFlag[] = [
  {
    flags: '--ns-include <pattern>',
    option: 'include',
    description: 'only namespaces matching a db.collection glob (repeatable)',
    from: 'nsInclude',
    repeatable: true,
  },
  {
    flags: '--ns-exclude <pattern>',
    option: 'exclude',
    description: 'skip namespaces matching (repeatable)',
    from: 'nsExclude',
    repeatable: true,
  },
];

const BACKUP: EngineFlag[] = [
  {
    flags: '--db <name>',
    option: 'databases',
    description: "back up this database (repeatable; default: the URL's, or all)",
    from: 'db',
    repeatable: true,
  },
  ...NAMESPACES,
  {
    flags: '--query <ns=json>',
    option: 'query',
    description: 'filter a namespace with an Extended JSON query (repeatable)',
    repeatable: true,
    parse: (v) => parseQueries(v as string[]),
  },
  {
    flags: '--oplog',
    option: 'oplog',
    description: 'capture the oplog for a point-in-time backup (replica sets)',
  },
  { flags: '--users-and-roles', option: 'usersAndRoles', description: 'include users and roles' },
];

const RESTORE: EngineFlag[] = [
  { flags: '--drop', option: 'drop', description: 'drop each collection before restoring it' },
  ...NAMESPACES,
  {
    flags: '--ns-from <pattern>',
    option: 'nsFrom',
    description: 'rename from (pairs with --ns-to, repeatable)',
    repeatable: true,
  },
  { flags: '--ns-to <pattern>', option: 'nsTo', description: 'rename to (repeatable)', repeatable: true },
  { flags: '--stop-on-error', option: 'stopOnError', description: 'halt at the first insert error' },
  { flags: '--no-oplog-replay', option: 'oplogReplay', description: 'do not replay the captured oplog' },
  { flags: '--users-and-roles', option: 'usersAndRoles', description: 'restore users and roles' },
  {
    // mongorestore's name for it, so its users find it.
    flags: '--no-index-restore',
    option: 'noIndexes',
    description: 'build no secondary indexes (documents and collection options only)',
    from: 'indexRestore',
    parse: (given) => (given as unknown) === false,
  },
];

export const mongodbFlags = { backup: BACKUP, restore: RESTORE, inspect: NAMESPACES };
