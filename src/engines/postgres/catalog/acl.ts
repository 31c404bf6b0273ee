import { quoteIdent, quoteLiteral } from '../ident.js';

/** One privilege of an ACL, as {@link aclJson} returns it. */
export interface AclEntry {
  /** Grantee, already quoted, or `PUBLIC`. */
  g: string;
  /** Privilege name (SELECT, USAGE, ...). */
  p: string;
  /** Held WITH GRANT OPTION. */
  o: boolean;
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
    grantStatements(acl, (privs, to) => `GRANT ${privs} ON ${objectType} ${target} TO ${to}`),
  );
}

/** GRANT statements for column privileges (columns have no defaults to revoke). */
export function columnAclStatements(table: string, column: string, acl: AclEntry[] | null): string[] {
  if (!acl) return [];
  return grantStatements(
    acl,
    (privs, to) =>
      `GRANT ${privs
        .split(', ')
        .map((p) => `${p} (${quoteIdent(column)})`)
        .join(', ')} ON TABLE ${table} TO ${to}`,
  );
}

/** GRANT statements for an ACL, one per grantee and grant option, in ACL order. */
export function grantStatements(acl: AclEntry[], make: (privs: string, to: string) => string): string[] {
  const groups = new Map<string, string[]>();
  for (const e of acl) {
    const key = `${e.g}\u0000${e.o ? 1 : 0}`;
    const list = groups.get(key) ?? [];
    list.push(e.p);
    groups.set(key, list);
  }
  const out: string[] = [];
  for (const [key, privs] of groups) {
    const [grantee, option] = key.split('\u0000') as [string, string];
    out.push(make(privs.join(', '), grantee) + (option === '1' ? ' WITH GRANT OPTION' : ''));
  }
  return out;
}

/** `COMMENT ON ... IS '...'`, or nothing. */
export function commentStatement(what: string, comment: string | null | undefined): string[] {
  return comment == null ? [] : [`COMMENT ON ${what} IS ${quoteLiteral(comment)}`];
}

/** `ALTER ... OWNER TO` for an owner name from the catalog. */
export function ownerStatement(alterWhat: string, owner: string | null | undefined): string[] {
  return owner ? [`ALTER ${alterWhat} OWNER TO ${quoteIdent(owner)}`] : [];
}
