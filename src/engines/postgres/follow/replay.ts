import { createHash } from 'node:crypto';
import { abortReason } from '../../../abort-reason.js';
import { StowageError } from '../../../errors.js';
import type { ChangePosition, ReplayRequest } from '../../engine.js';
import { PgSession, parseTarget } from '../connect.js';
import { qualify, quoteIdent } from '../ident.js';
import {
  type ChangePayload,
  decodePayload,
  type PayloadChange,
  type PayloadRelation,
} from './change-payload.js';
import { type TupleValue, UNCHANGED_TOAST } from './pgoutput.js';
import { TEXT_OUTPUT_SETTINGS } from './replication-stream.js';

/**
 * Replays PostgreSQL change transactions onto a database restored from the
 * chain's base: one database transaction per source transaction, rows found
 * by their replica identity, values handed to the columns' own input
 * functions as text. Like a logical replication subscriber it runs with
 * `session_replication_role = replica`, so the target's triggers do not fire
 * a second time (their effects are in the stream already) and foreign keys
 * are not checked mid-transaction. An UPDATE or DELETE that finds no row
 * means the target is not the base this chain continues: replay stops
 * rather than give a database that looks restored and is not.
 */
export async function replayPostgres(
  request: ReplayRequest,
): Promise<{ applied: number; last?: ChangePosition }> {
  const target = parseTarget(request.url);
  const session = await PgSession.open(target, {
    mode: 'restore',
    // No flush wait per commit: a replay that dies part way is started again from the base
    // anyway, and waiting for each of thousands of small commits halved its speed (measured).
    settings: { ...TEXT_OUTPUT_SETTINGS, search_path: '', synchronous_commit: 'off' },
    signal: request.signal,
  });
  let applied = 0;
  let last: ChangePosition | undefined;
  try {
    try {
      await session.client.query(`SET session_replication_role = replica`);
    } catch (err) {
      request.progress({
        type: 'warning',
        message: `replaying with the target's triggers on (session_replication_role needs a superuser): ${(err as Error).message}`,
      });
    }
    request.progress({ type: 'phase', phase: 'replay', message: 'replaying changes' });
    for await (const tx of request.transactions) {
      if (request.signal?.aborted) throw abortReason(request.signal, 'replay');
      const payload = decodePayload(tx.payload, tx.position);
      await session.query('BEGIN', [], 'starting a replayed transaction');
      try {
        await applyTransaction(session, payload, tx.position);
        await session.query('COMMIT', [], `committing transaction ${tx.position}`);
      } catch (err) {
        await session.client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied++;
      last = tx.position;
      if (applied % 1000 === 0)
        request.progress({ type: 'phase', phase: 'replay', message: `replayed ${applied} transactions` });
    }
    request.progress({ type: 'phase', phase: 'done' });
    return { applied, ...(last ? { last } : {}) };
  } finally {
    await session.close();
  }
}

async function applyTransaction(session: PgSession, payload: ChangePayload, position: string): Promise<void> {
  const relations = new Map(payload.relations.map((r) => [r.id, r]));
  const relation = (id: number): PayloadRelation => {
    const r = relations.get(id);
    if (!r)
      throw new StowageError(
        'pg-error',
        `change transaction ${position} uses relation ${id} it does not describe`,
      );
    return r;
  };
  for (const change of payload.changes) {
    const statements =
      change.op === 'truncate' ? [truncate(change, relation)] : [rowStatement(change, relation(change.rel))];
    for (const statement of statements) {
      let result: { rowCount: number | null };
      try {
        result = await session.client.query(statement);
      } catch (err) {
        throw session.translate(err, `replaying transaction ${position}`);
      }
      if ((change.op === 'update' || change.op === 'delete') && result.rowCount !== 1) {
        const rel = relation(change.rel);
        throw new StowageError(
          'pg-replay-mismatch',
          `replaying transaction ${position}: the ${change.op} of a row of ${qualify(rel.schema, rel.name)} found ${result.rowCount ?? 0} rows, not 1`,
          "replay onto a database restored from this chain's base, unchanged since",
        );
      }
    }
  }
  for (const s of payload.sequences ?? []) {
    await session.query(
      'SELECT pg_catalog.setval($1::regclass, $2::int8, true)',
      [qualify(s.schema, s.name), s.lastValue],
      `setting sequence ${qualify(s.schema, s.name)}`,
    );
  }
}

interface Statement {
  name: string;
  text: string;
  values: (string | null)[];
}

/** A named (server-prepared) statement: the same shape of change on the same table is parsed once. */
function statement(text: string, values: (string | null)[]): Statement {
  return { name: `r${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values };
}

function rowStatement(change: Exclude<PayloadChange, { op: 'truncate' }>, rel: PayloadRelation): Statement {
  const table = qualify(rel.schema, rel.name);
  const values: (string | null)[] = [];
  const param = (v: string | null) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (change.op === 'insert') {
    const cols = rel.columns.map((c) => quoteIdent(c.name));
    const params = change.new.map((v) => param(asValue(v)));
    // OVERRIDING SYSTEM VALUE: GENERATED ALWAYS identity columns take the source's values.
    return statement(
      `INSERT INTO ${table} (${cols.join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${params.join(', ')})`,
      values,
    );
  }
  const full = rel.replicaIdentity === 'f';
  // The row's identity: the old key ('K') when the key changed, the old row ('O') with FULL, else the new row's key columns.
  const identity = change.key ?? change.old ?? (change.op === 'update' ? change.new : undefined);
  if (!identity) throw new StowageError('pg-error', `a ${change.op} of ${table} carries no row identity`);
  const where = rel.columns
    .map((c, i) => ({ c, v: identity[i] as TupleValue }))
    .filter(({ c, v }) => c.key && v !== UNCHANGED_TOAST)
    .map(({ c, v }) => {
      if (v === null) return `${quoteIdent(c.name)} IS NULL`;
      // FULL identity compares every column, and some types have no equality (json, point, xml):
      // their text output is compared instead, with the settings the stream's text was made with.
      return full
        ? `${quoteIdent(c.name)}::text = ${param(v as string)}::text`
        : `${quoteIdent(c.name)} = ${param(v as string)}`;
    });
  if (!where.length)
    throw new StowageError('pg-error', `a ${change.op} of ${table} has no replica identity columns`);
  // FULL identity may match several equal rows: the source changed one of them.
  const match = full
    ? `ctid = (SELECT ctid FROM ${table} WHERE ${where.join(' AND ')} LIMIT 1)`
    : where.join(' AND ');
  if (change.op === 'delete') return statement(`DELETE FROM ${table} WHERE ${match}`, values);
  const keyUnchanged = !change.key && !change.old;
  const sets = rel.columns
    .map((c, i) => ({ c, v: change.new[i] as TupleValue }))
    // Unchanged TOAST keeps the stored value; an unchanged key is not rewritten (GENERATED ALWAYS ids refuse that).
    .filter(({ c, v }) => v !== UNCHANGED_TOAST && !(keyUnchanged && c.key && !full))
    .map(({ c, v }) => `${quoteIdent(c.name)} = ${param(asValue(v))}`);
  if (!sets.length)
    return statement(
      `UPDATE ${table} SET ${quoteIdent((rel.columns[0] as { name: string }).name)} = ${quoteIdent((rel.columns[0] as { name: string }).name)} WHERE ${match}`,
      values,
    );
  return statement(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${match}`, values);
}

function truncate(
  change: Extract<PayloadChange, { op: 'truncate' }>,
  relation: (id: number) => PayloadRelation,
): Statement {
  const tables = change.rels.map((id) => {
    const r = relation(id);
    return `ONLY ${qualify(r.schema, r.name)}`;
  });
  return statement(`TRUNCATE ${tables.join(', ')}${change.restartIdentity ? ' RESTART IDENTITY' : ''}`, []);
}

function asValue(v: TupleValue): string | null {
  if (v === UNCHANGED_TOAST)
    throw new StowageError('pg-error', 'an unchanged TOAST value where a full row is needed');
  return v;
}
