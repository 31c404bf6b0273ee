import type { ArrayItems } from '../../archive/json-assembler.js';
import { type PgObject, POSTGRES_SCHEMA_FORMAT, postgresSchemas } from './model.js';
import { ObjectPacker } from './packed-object.js';

/**
 * The PostgreSQL restore's {@link ArrayItems} for the footer: the schema's
 * objects are packed (packed-object.ts) one by one as they are parsed, so the
 * parsed list never exists whole (at 20,000 tables ~80 MB of heap, at the
 * footer's read the restore's high-water mark). Each object is checked as
 * parsePostgresSchema checks it first; one that is not as the schema says stays
 * as parsed, and parsePostgresSchema words what is wrong with it.
 */
export const packFooterObjects: ArrayItems = (path, holder) => {
  if (path.length !== 3 || path[0] !== 'manifest' || path[1] !== 'schema' || path[2] !== 'objects') return;
  if (holder.format !== POSTGRES_SCHEMA_FORMAT) return;
  const packer = new ObjectPacker();
  const conforms = postgresSchemas.conforms('PgObjectSchema');
  return (item) => (conforms(item) ? packer.pack(item as PgObject) : item);
};
