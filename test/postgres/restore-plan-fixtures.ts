import type { PgTableData } from '../../src/engines/postgres/model.js';

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
