import type { PgObject, PgTableData } from '../../src/engines/postgres/model.js';

/** An archived one-column table of `public`, for restore plans built without a server. */
export const table = (name: string, streams = [`public.${name}`]): PgTableData => ({
  streams,
  schema: 'public',
  name,
  columns: [{ name: 'id', type: 'integer' }],
  format: 'binary',
  estimatedRows: 0,
  estimatedBytes: 0,
  identityAlways: false,
});

/** The archived schema object of a table of `public`: its statements and what it depends on. */
export const tableObject = (name: string, sql: string[], deps: string[] = []): PgObject => ({
  id: `table:public.${name}`,
  kind: 'table',
  section: 'pre-data',
  schema: 'public',
  name,
  sql,
  deps,
});
