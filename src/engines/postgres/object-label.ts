import type { PgObject } from './model.js';

/** `schema.name` as people read it (a constraint's name is `table.constraint`): for eyes, not for SQL. */
export function displayName(o: Pick<PgObject, 'kind' | 'schema' | 'name'>): string {
  return o.schema && o.kind !== 'schema' ? `${o.schema}.${o.name}` : o.name;
}

/** An object as messages name it: `table public.orders`, `function public.f(integer)`. */
export function objectLabel(o: Pick<PgObject, 'kind' | 'schema' | 'name'>): string {
  return `${o.kind} ${displayName(o)}`;
}

/** An object id (`table:public.orders`) as messages name it (`table public.orders`). */
export function idLabel(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? id : `${id.slice(0, colon)} ${id.slice(colon + 1)}`;
}
