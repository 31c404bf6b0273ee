import { counted } from '../nouns.js';
import type { PgSession } from './connect.js';
import type { PgObject } from './model.js';
import { objectLabel } from './object-label.js';

/**
 * Runs schema statements in order on one session.
 *
 * Round trips dominate a schema with thousands of objects, so consecutive
 * objects go to the server together as one multi-statement query
 * ({@link applyBatch}). Inside an explicit transaction (single-transaction
 * restore) a failed batch could not be replayed, so objects are sent one by one.
 */
export interface ApplyOptions extends BatchOptions {
  /** Send objects in batches (only outside an explicit transaction). */
  batch: boolean;
}

/** How {@link applyBatch} applies objects and names them in errors. */
export interface BatchOptions {
  /** Which statements of each object to run. */
  statements: (object: PgObject) => string[];
  /** Called after each object is applied. */
  onApplied: (object: PgObject) => void;
  /**
   * What applying `what` is, for error messages; `what` names one object
   * (`table public.t`) or counts a batch (`12 objects`).
   */
  doing: (what: string) => string;
  /** Once aborted, a failed batch is not replayed. */
  signal?: AbortSignal;
}

const BATCH_OBJECTS = 200;
const BATCH_CHARS = 512 * 1024;

/** Applies `objects` in order, in batches of at most 200 objects or 512 KiB of SQL unless `batch` is off. */
export async function applyObjects(
  session: PgSession,
  objects: PgObject[],
  options: ApplyOptions,
): Promise<void> {
  if (!options.batch) {
    for (const o of objects) if (options.statements(o).length) await applyOne(session, o, options);
    return;
  }
  // Each object's statements are asked for once, as its batch is made: they may be made when
  // asked (a packed object unpacks them, a table writes its folded defaults in: fold-defaults.ts).
  let i = 0;
  while (i < objects.length) {
    const batch: PgObject[] = [];
    const texts: string[] = [];
    let chars = 0;
    while (i < objects.length && batch.length < BATCH_OBJECTS && chars < BATCH_CHARS) {
      const o = objects[i++] as PgObject;
      const text = sqlOf(o, options);
      if (!text) continue;
      batch.push(o);
      texts.push(text);
      chars += text.length;
    }
    await applyBatch(session, batch, options, texts);
  }
}

/**
 * Applies `objects` in one multi-statement query: one round trip instead of
 * one each. Outside a transaction block the server runs such a query as one
 * implicit transaction, so a failing batch leaves nothing of itself behind; it
 * is then replayed one object at a time, to keep what can be and to name the
 * object that fails. A replay that succeeds is a success: the batch may have
 * lost a deadlock, or held a statement that cannot run in a transaction block.
 */
export async function applyBatch(
  session: PgSession,
  objects: PgObject[],
  options: BatchOptions,
  /** Each object's statements as one text, where the caller has them already. */
  texts: string[] = objects.map((o) => sqlOf(o, options)),
): Promise<void> {
  if (objects.length === 0) return;
  try {
    await session.client.query(texts.join('\n'));
  } catch (err) {
    if (objects.length === 1)
      throw session.translate(err, options.doing(objectLabel(objects[0] as PgObject)));
    if (session.lost !== undefined || options.signal?.aborted)
      throw session.translate(err, options.doing(counted(objects.length, 'object')));
    for (const o of objects) await applyOne(session, o, options);
    return;
  }
  for (const o of objects) options.onApplied(o);
}

/** Applies one object's statements in one query. */
export async function applyOne(session: PgSession, object: PgObject, options: BatchOptions): Promise<void> {
  try {
    await session.client.query(sqlOf(object, options));
  } catch (err) {
    throw session.translate(err, options.doing(objectLabel(object)));
  }
  options.onApplied(object);
}

function sqlOf(object: PgObject, options: BatchOptions): string {
  return options
    .statements(object)
    .map((s) => terminated(s))
    .join('\n');
}

const TERMINATOR = /;\s*$/;

/**
 * `statement` ending in a semicolon, so that statements can be joined into one
 * query; `clause` (e.g. ` NOT VALID`) goes in before the semicolon.
 */
export function terminated(statement: string, clause = ''): string {
  if (!clause && TERMINATOR.test(statement)) return statement;
  return `${statement.replace(TERMINATOR, '')}${clause};`;
}
