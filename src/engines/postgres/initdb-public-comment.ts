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

/**
 * The statements of object `id`, without the `COMMENT ON SCHEMA public` that sets initdb's
 * comment again when the object is schema public (archives made before it was left out).
 */
export function withoutInitdbPublicComment(id: string, statements: string[]): string[] {
  if (id !== 'schema:public') return statements;
  return statements.filter((sql) => sql !== `COMMENT ON SCHEMA public IS '${INITDB_COMMENT}'`);
}
