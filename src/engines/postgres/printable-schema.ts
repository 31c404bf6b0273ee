/**
 * The PostgreSQL schema description as it may be shown: the statements of
 * objects marked `secret` (user mappings with options, subscriptions) hold
 * credentials, as in a pg_dump, and are replaced by a note. Anything not
 * shaped like a schema description is returned as it is.
 */
export function printableSchema(schema: unknown): unknown {
  const objects = (schema as { objects?: unknown } | null)?.objects;
  if (!Array.isArray(objects)) return schema;
  return {
    ...(schema as object),
    objects: objects.map((o: { secret?: boolean; sql?: unknown }) =>
      o?.secret ? { ...o, sql: ['-- not shown: holds credentials'] } : o,
    ),
  };
}
