import { quoteIdent, quoteLiteral } from '../ident.js';
/**
 * GRANT/REVOKE statements that reproduce an ACL exactly. A NULL ACL means the
 * object still has its built-in default privileges: nothing to do. Otherwise
 * everything is revoked first (the owner's and PUBLIC's defaults included) and
 * the recorded privileges granted back, so revoked defaults stay revoked.
 *
 * @param objectType keyword after ON: TABLE, SEQUENCE, SCHEMA, ROUTINE, TYPE, DOMAIN
 * @param target qualified, quoted object name (with argument list for routines)
 */
export function aclStatements(objectType, target, owner, acl) {
    if (acl === null)
        return [];
    const out = [
        `REVOKE ALL ON ${objectType} ${target} FROM PUBLIC`,
        `REVOKE ALL ON ${objectType} ${target} FROM ${quoteIdent(owner)}`,
    ];
    return out.concat(grants(acl, (privs, to) => `GRANT ${privs} ON ${objectType} ${target} TO ${to}`));
}
/** GRANT statements for column privileges (columns have no defaults to revoke). */
export function columnAclStatements(table, column, acl) {
    if (!acl)
        return [];
    return grants(acl, (privs, to) => `GRANT ${privs
        .split(', ')
        .map((p) => `${p} (${quoteIdent(column)})`)
        .join(', ')} ON TABLE ${table} TO ${to}`);
}
function grants(acl, make) {
    const groups = new Map();
    for (const e of acl) {
        const key = `${e.g}\u0000${e.o ? 1 : 0}`;
        const list = groups.get(key) ?? [];
        list.push(e.p);
        groups.set(key, list);
    }
    const out = [];
    for (const [key, privs] of groups) {
        const [grantee, option] = key.split('\u0000');
        out.push(make(privs.join(', '), grantee) + (option === '1' ? ' WITH GRANT OPTION' : ''));
    }
    return out;
}
/** `COMMENT ON ... IS '...'`, or nothing. */
export function commentStatement(what, comment) {
    return comment == null ? [] : [`COMMENT ON ${what} IS ${quoteLiteral(comment)}`];
}
/** `ALTER ... OWNER TO` for an owner name from the catalog. */
export function ownerStatement(alterWhat, owner) {
    return owner ? [`ALTER ${alterWhat} OWNER TO ${quoteIdent(owner)}`] : [];
}
//# sourceMappingURL=acl.js.map