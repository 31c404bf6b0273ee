/**
 * initdb's comment on the `public` schema, which every database made from
 * template1 carries already. pg_dump leaves it out (it dumps the comment only
 * when it was changed), so pg_restore never sets it: setting it needs
 * ownership of `public`, which a role that was only granted CREATE on the
 * target database lacks, and the whole restore failed on a statement that
 * changes nothing. Backups leave it out too, and restores of older archives
 * skip it.
 */

const INITDB_COMMENT = 'standard public schema';

/** Whether `comment` on schema `schema` is initdb's own. */
export function isInitdbPublicComment(schema: string, comment: string | null): boolean {
  return schema === 'public' && comment === INITDB_COMMENT;
}

/** `statements` without the `COMMENT ON SCHEMA public` that sets initdb's comment again (archives before it was left out). */
export function withoutInitdbPublicComment(statements: string[]): string[] {
  return statements.filter((sql) => sql !== `COMMENT ON SCHEMA public IS '${INITDB_COMMENT}'`);
}
