import { flat } from '../flat-text.js';
import { quoteIdent, quoteLiteral } from '../ident.js';

/** One privilege of an ACL, as {@link aclJson} returns it. */
export interface AclEntry {
  /** Grantee, already quoted, or `PUBLIC`. */
  g: string;
  /** Privilege name (SELECT, USAGE, ...). */
  p: string;
  /** Held WITH GRANT OPTION. */
  o: boolean;
  /** Grantor (unquoted); absent in archives made before it was recorded. */
  r?: string | null;
}

/**
 * GRANT/REVOKE statements that reproduce an ACL exactly. A NULL ACL means the
 * object still has its built-in default privileges: nothing to do. Otherwise
 * everything is revoked first (the owner's and PUBLIC's defaults included) and
 * the recorded privileges granted back, so revoked defaults stay revoked.
 *
 * @param objectType keyword after ON: TABLE, SEQUENCE, SCHEMA, ROUTINE, TYPE, DOMAIN
 * @param target qualified, quoted object name (with argument list for routines)
 */
export function aclStatements(
  objectType: string,
  target: string,
  owner: string,
  acl: AclEntry[] | null,
): string[] {
  if (acl === null) return [];
  const out = [
    `REVOKE ALL ON ${objectType} ${target} FROM PUBLIC`,
    `REVOKE ALL ON ${objectType} ${target} FROM ${quoteIdent(owner)}`,
  ];
  return out.concat(
    grantStatements(acl, (privs, to) => `GRANT ${privs} ON ${objectType} ${target} TO ${to}`, owner),
  );
}

/**
 * REVOKE then GRANT statements that turn the `initial` ACL an object gets when
 * it is created (an initdb-made object's `pg_init_privs` entry) into its
 * `current` one, as pg_dump does for such objects: only the differences, so
 * a target whose defaults differ (the public schema of PostgreSQL 14 and 15)
 * keeps its own where the source kept its own.
 */
export function aclDiffStatements(
  objectType: string,
  target: string,
  current: AclEntry[],
  initial: AclEntry[],
): string[] {
  const key = (e: AclEntry) => `${e.g}\u0000${e.p}\u0000${e.o}`;
  const now = new Set(current.map(key));
  const before = new Set(initial.map(key));
  return [
    ...initial
      .filter((e) => !now.has(key(e)))
      .map((e) => `REVOKE ${e.p} ON ${objectType} ${target} FROM ${e.g}`),
    ...grantStatements(
      current.filter((e) => !before.has(key(e))),
      (privs, to) => `GRANT ${privs} ON ${objectType} ${target} TO ${to}`,
    ),
  ];
}

/** GRANT statements for column privileges (columns have no defaults to revoke). */
export function columnAclStatements(
  table: string,
  column: string,
  acl: AclEntry[] | null,
  owner?: string,
): string[] {
  if (!acl) return [];
  return grantStatements(
    acl,
    (privs, to) =>
      `GRANT ${privs
        .split(', ')
        .map((p) => `${p} (${quoteIdent(column)})`)
        .join(', ')} ON TABLE ${table} TO ${to}`,
    owner,
  );
}

/**
 * GRANTs for the entries, one per grantee, grant option and grantor, in ACL
 * order. A privilege granted by someone other than the owner (passed on with
 * a grant option) is granted as that role, between `SET ROLE` and `RESET
 * ROLE`, as pg_dump does with SET SESSION AUTHORIZATION, so the grantor
 * recorded in the ACL is the same.
 */
export function grantStatements(
  acl: AclEntry[],
  make: (privs: string, to: string) => string,
  owner?: string,
): string[] {
  const groups = new Map<string, { grantee: string; option: boolean; grantor?: string; privs: string[] }>();
  for (const e of acl) {
    const grantor = owner !== undefined && e.r && e.r !== owner ? e.r : undefined;
    const key = `${e.g}\u0000${e.o ? 1 : 0}\u0000${grantor ?? ''}`;
    const group = groups.get(key) ?? { grantee: e.g, option: e.o, grantor, privs: [] };
    group.privs.push(e.p);
    groups.set(key, group);
  }
  const out: string[] = [];
  for (const g of groups.values()) {
    const grant = make(g.privs.join(', '), g.grantee) + (g.option ? ' WITH GRANT OPTION' : '');
    if (g.grantor) out.push(`SET ROLE ${quoteIdent(g.grantor)}`, grant, 'RESET ROLE');
    else out.push(grant);
  }
  return out;
}

/** `COMMENT ON ... IS '...'`, or nothing. */
export function commentStatement(what: string, comment: string | null | undefined): string[] {
  return comment == null ? [] : [`COMMENT ON ${what} IS ${quoteLiteral(comment)}`];
}

/** `ALTER ... OWNER TO` for an owner name from the catalog. */
export function ownerStatement(alterWhat: string, owner: string | null | undefined): string[] {
  return owner ? [flat`ALTER ${alterWhat} OWNER TO ${quoteIdent(owner)}`] : [];
}
