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
export declare function aclStatements(objectType: string, target: string, owner: string, acl: AclEntry[] | null): string[];
/** GRANT statements for column privileges (columns have no defaults to revoke). */
export declare function columnAclStatements(table: string, column: string, acl: AclEntry[] | null): string[];
/** `COMMENT ON ... IS '...'`, or nothing. */
export declare function commentStatement(what: string, comment: string | null | undefined): string[];
/** `ALTER ... OWNER TO` for an owner name from the catalog. */
export declare function ownerStatement(alterWhat: string, owner: string | null | undefined): string[];
