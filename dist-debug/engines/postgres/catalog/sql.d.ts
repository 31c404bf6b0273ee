/**
 * SQL fragments shared by the catalog readers. Every reader runs in the backup
 * session, where `search_path` is empty: `pg_get_*def()`, `format_type()` and
 * `reg*` output then qualify every name, which is what makes the generated DDL
 * independent of the restoring session's search path.
 */
/** `NOT EXISTS` clause excluding objects that belong to an extension (CREATE EXTENSION recreates them). */
export declare function notExtensionMember(catalog: string, oidExpr: string): string;
/** The comment on an object (sub-object 0), or NULL. */
export declare function commentOf(catalog: string, oidExpr: string): string;
/**
 * An ACL as JSON: NULL when the object has default privileges, else an array
 * of `{g: grantee (quoted, or PUBLIC), p: privilege, o: grant option}` in ACL order
 * (granting in that order rebuilds the same aclitem array).
 * `aclexplode()` does the aclitem parsing so we never parse `=arwd/owner` text.
 */
export declare function aclJson(aclExpr: string): string;
/** Schema names to skip: the system's own. */
export declare const SYSTEM_SCHEMA_FILTER = "n.nspname NOT IN ('pg_catalog', 'information_schema')\n  AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp_'";
/** The qualified, quoted name of the collation with OID `oidExpr`. */
export declare function collationName(oidExpr: string): string;
