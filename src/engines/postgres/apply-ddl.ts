import type { PgSession } from './connect.js';
import type { PgObject } from './model.js';

/**
 * Runs schema statements in order on one session.
 *
 * Round trips dominate a schema with thousands of objects, so consecutive
 * objects go to the server together as one multi-statement query. Outside a
 * transaction block the server runs such a query as one implicit transaction,
 * so a failing batch leaves nothing of itself behind; it is then replayed one
 * object at a time to name the object that fails, and everything before it is
 * kept. Inside an explicit transaction (single-transaction restore) there is
 * no replay, so objects are sent one by one.
 */
export interface ApplyOptions {
  /** Send objects in batches (only outside an explicit transaction). */
  batch: boolean;
  /** Which statements of each object to run. */
  statements: (object: PgObject) => string[];
  /** Called after each object is applied. */
  onApplied: (object: PgObject) => void;
  /** Describes the object for error messages. */
  describe: (object: PgObject) => string;
}

const BATCH_OBJECTS = 200;
const BATCH_CHARS = 512 * 1024;

export async function applyObjects(
  session: PgSession,
  objects: PgObject[],
  options: ApplyOptions,
): Promise<void> {
  const work = objects.filter((o) => options.statements(o).length);
  if (!options.batch) {
    for (const o of work) await applyOne(session, o, options);
    return;
  }
  let i = 0;
  while (i < work.length) {
    let chars = 0;
    let j = i;
    while (j < work.length && j - i < BATCH_OBJECTS && chars < BATCH_CHARS) {
      chars += options.statements(work[j] as PgObject).reduce((n, s) => n + s.length, 0);
      j++;
    }
    const group = work.slice(i, j);
    try {
      await session.client.query(
        group
          .flatMap((o) => options.statements(o))
          .map(terminate)
          .join('\n'),
      );
      for (const o of group) options.onApplied(o);
    } catch (err) {
      if (session.lost !== undefined || group.length === 1)
        throw session.translate(err, options.describe(group[0] as PgObject));
      // The batch rolled back as a whole: replay it object by object to apply what can be and name the culprit.
      for (const o of group) await applyOne(session, o, options);
      throw session.translate(err, `applying ${group.length} objects`);
    }
    i = j;
  }
}

async function applyOne(session: PgSession, object: PgObject, options: ApplyOptions): Promise<void> {
  const sql = options.statements(object).map(terminate).join('\n');
  try {
    await session.client.query(sql);
  } catch (err) {
    throw session.translate(err, options.describe(object));
  }
  options.onApplied(object);
}

function terminate(statement: string): string {
  return /;\s*$/.test(statement) ? statement : `${statement};`;
}
