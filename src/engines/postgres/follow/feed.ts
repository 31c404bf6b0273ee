import { StowageError } from '../../../errors.js';
import {
  ChainBroken,
  type ChangeFeed,
  type ChangeFeedRequest,
  type ChangeTransaction,
  type EngineBackupRequest,
  type EngineBackupResult,
} from '../../engine.js';
import { backupPostgres } from '../backup.js';
import { PgSession, type PgTarget, parseTarget } from '../connect.js';
import { qualify } from '../ident.js';
import { backedUpTables } from '../introspect/packed-table-data.js';
import type { BackedUpPostgresSchema } from '../model.js';
import type { PostgresBackupOptions } from '../options.js';
import { NameFilter } from '../patterns.js';
import { joinSnapshot } from '../snapshot.js';
import { encodePayload, type PayloadSequence } from './change-payload.js';
import {
  type FollowedTables,
  loadFollowedTables,
  RelationCheck,
  readFollowedTables,
  storeFollowedTables,
} from './followed-tables.js';
import { compareLsn, lsnValue } from './lsn.js';
import { decodePgoutput } from './pgoutput.js';
import { ReplicationStream } from './replication-stream.js';
import { chainStateName, dropChainState, slotInUse, waitForSlotRelease } from './slots.js';
import { type AssembledTransaction, TransactionAssembler } from './transaction-assembler.js';

/** Decoded transactions held before the socket stops being read (the server then waits). */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
/** Transactions handed out by one read(), so one segment write stays bounded. */
const MAX_READ_TRANSACTIONS = 10_000;
/** How long an empty read waits, at most, for the server to show it has decoded everything flushed before it. */
const CATCH_UP_GRACE_MS = 10_000;

/**
 * Opens a PostgreSQL change feed: a new chain creates the publication (FOR ALL
 * TABLES, before the slot, so the slot's decoding sees it from its first
 * change) and the slot, whose exported snapshot the base is read from; a
 * resumed chain checks its slot is still there and has not moved past
 * `resumeAfter` (that would be a gap).
 */
export async function openPostgresFeed(request: ChangeFeedRequest): Promise<ChangeFeed> {
  const name = chainStateName(request.feedId);
  const options = (request.options ?? {}) as PostgresBackupOptions;
  const filter = new NameFilter(options);
  const target = parseTarget(request.url);
  // The sessions outlive the signal: a stop ends waiting reads, and the caller still stores
  // what was read and confirms it before close() ends them.
  const side = await PgSession.open(target, { mode: 'backup' });
  let stream: ReplicationStream | undefined;
  try {
    const serverVersion = Number(
      (await side.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]?.v,
    );
    const lost = serverVersion >= 130000 ? `wal_status = 'lost'` : 'false';
    const slot = (
      await side.query<{ confirmed: string | null; database: string; lost: boolean }>(
        `SELECT confirmed_flush_lsn::text AS confirmed, database, ${lost} AS lost
           FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`,
        [name],
        'looking for the replication slot',
      )
    ).rows[0];
    if (request.resumeAfter) {
      const resumeAfter = request.resumeAfter;
      lsnValue(resumeAfter);
      // A chain that cannot go on opens as a feed whose read() says so: the caller ends the
      // chain there, as for DDL, and close({ drop: true }) clears what is left of it.
      const broken = (why: string) => new BrokenFeed(new ChainBroken(why), resumeAfter, side, name);
      if (!slot || slot.database !== target.database)
        return broken(`the replication slot ${name} no longer exists; a new base is needed`);
      if (slot.lost)
        return broken(
          `the replication slot ${name} lost the WAL it needed (max_slot_wal_keep_size); a new base is needed`,
        );
      if (slot.confirmed && compareLsn(slot.confirmed, resumeAfter) > 0)
        return broken(
          `the replication slot ${name} was confirmed up to ${slot.confirmed}, past the last stored change ${resumeAfter}: changes in between are gone; a new base is needed`,
        );
      const followed = await loadFollowedTables(side, name);
      if (!followed)
        return broken(
          `the publication ${name} of this chain is gone or has no base recorded; a new base is needed`,
        );
      await waitForSlotRelease(side, name);
      stream = await ReplicationStream.open(target);
      return new PostgresFeed({
        request,
        name,
        target,
        side,
        stream,
        filter,
        followed,
        startPosition: resumeAfter,
      });
    }
    if (slot)
      throw new StowageError(
        'pg-follow-setup',
        `a replication slot named ${name} exists already`,
        `resume that chain, or drop the slot first (SELECT pg_drop_replication_slot('${name}'))`,
      );
    await side.query(`DROP PUBLICATION IF EXISTS ${name}`, [], 'replacing a leftover publication');
    await side.query(`CREATE PUBLICATION ${name} FOR ALL TABLES`, [], 'creating the publication');
    stream = await ReplicationStream.open(target);
    const created = await stream.createSlot(name, serverVersion);
    return new PostgresFeed({
      request,
      name,
      target,
      side,
      stream,
      filter,
      startPosition: created.consistentPoint,
      snapshot: { id: created.snapshot, serverVersion },
    });
  } catch (err) {
    await stream?.close();
    if (!request.resumeAfter && !(err instanceof StowageError && err.code === 'pg-follow-setup'))
      await dropChainState(side, name).catch(() => {});
    await side.close();
    throw err;
  }
}

/** A resumed chain that cannot go on: read() throws why; nothing is streamed. */
class BrokenFeed implements ChangeFeed {
  constructor(
    private readonly why: ChainBroken,
    readonly startPosition: string,
    private readonly side: PgSession,
    private readonly name: string,
  ) {}

  async takeBase(): Promise<EngineBackupResult> {
    throw this.why;
  }

  async read(): Promise<ChangeTransaction[]> {
    throw this.why;
  }

  async confirm(): Promise<void> {}

  async close(options?: { drop?: boolean }): Promise<void> {
    try {
      if (options?.drop) await dropChainState(this.side, this.name);
    } finally {
      await this.side.close();
    }
  }
}

interface FeedState {
  request: ChangeFeedRequest;
  name: string;
  target: PgTarget;
  /** A plain session: sequences, publication comment, dropping. */
  side: PgSession;
  stream: ReplicationStream;
  filter: NameFilter;
  startPosition: string;
  followed?: FollowedTables;
  /** New chains: the slot's exported snapshot, valid until streaming starts. */
  snapshot?: { id: string; serverVersion: number };
}

class PostgresFeed implements ChangeFeed {
  readonly startPosition: string;
  private followed: FollowedTables | undefined;
  private assembler: TransactionAssembler | undefined;
  private readonly queue: AssembledTransaction[] = [];
  private queuedBytes = 0;
  private paused = false;
  /** Why the chain cannot go on (DDL): thrown once the transactions before it are handed out. */
  private broken: Error | undefined;
  /** The stream's end (error or clean), thrown once the queue is empty. */
  private ended: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private started = false;
  private baseTaken = false;
  private closed = false;
  private pendingConfirm: bigint | undefined;
  private readonly lastSequences = new Map<string, string>();
  private readonly skipUpTo: bigint;

  constructor(private readonly state: FeedState) {
    this.startPosition = state.startPosition;
    this.followed = state.followed;
    this.skipUpTo = state.request.resumeAfter ? lsnValue(state.request.resumeAfter) : 0n;
  }

  async takeBase(request: Omit<EngineBackupRequest, 'url' | 'options'>): Promise<EngineBackupResult> {
    const { snapshot } = this.state;
    if (!snapshot || this.baseTaken || this.started)
      throw new StowageError(
        'pg-follow-setup',
        'the base of this chain can no longer be taken',
        'a base is taken once, on a new chain, before reading changes',
      );
    this.baseTaken = true;
    const options = (this.state.request.options ?? {}) as PostgresBackupOptions;
    const result = await backupPostgres({ ...request, url: this.state.request.url, options }, snapshot.id);
    // The tables' shapes as of the same snapshot: what later Relation messages must match.
    const reader = await PgSession.open(this.state.target, { mode: 'backup', signal: request.signal });
    try {
      await joinSnapshot(reader, snapshot.id);
      const base = result.schema as BackedUpPostgresSchema;
      this.followed = await readFollowedTables(reader, snapshot.serverVersion, {
        tables: backedUpTables(base.tables),
        sequences: base.sequences,
      });
      await reader.query('COMMIT');
    } finally {
      await reader.close();
    }
    await storeFollowedTables(this.state.side, this.state.name, this.followed);
    const schema = result.schema as BackedUpPostgresSchema;
    if (schema.largeObjects)
      result.warnings.push(
        'large objects are in the base only: logical decoding does not carry their later changes',
      );
    return result;
  }

  async read(maxWaitMs: number): Promise<ChangeTransaction[]> {
    if (this.closed) throw new Error('the change feed is closed');
    if (!this.started) this.start();
    const signal = this.state.request.signal;
    const waiting = () =>
      !this.closed && !this.queue.length && !this.broken && !this.ended && !signal?.aborted;
    if (waiting()) {
      // An empty answer must mean "nothing committed before this read is missing" (the caller
      // takes it as caught up): so it waits, a bounded while, until the server has decoded
      // past its flush position as of now.
      const flushed = await this.serverFlushLsn();
      await this.waitFor(() => !waiting(), maxWaitMs);
      const graceMs = Math.max(maxWaitMs, CATCH_UP_GRACE_MS);
      if (waiting())
        await this.waitFor(() => !waiting() || this.state.stream.receivedLsn >= flushed, graceMs);
    }
    if (!this.queue.length) {
      if (this.broken) throw this.broken;
      if (this.ended) throw this.endError(this.ended.error);
      return [];
    }
    const batch = this.queue.splice(0, MAX_READ_TRANSACTIONS);
    for (const t of batch) this.queuedBytes -= t.bytes;
    if (this.paused && this.queuedBytes < MAX_BUFFERED_BYTES / 2) {
      this.paused = false;
      this.state.stream.resume();
    }
    // Read after the batch arrived, so each value is at least what any transaction in it used;
    // attached to the batch's first transaction, so a restore cut anywhere in it has them.
    const sequences = await this.readSequences();
    if (sequences.length) (batch[0] as AssembledTransaction).payload.sequences = sequences;
    return batch.map((t) => ({
      position: t.position,
      commitTime: t.commitTime,
      payload: encodePayload(t.payload),
    }));
  }

  /** Waits until `done()` holds (checked whenever the stream moves) or `ms` passed, or the stop signal. */
  private async waitFor(done: () => boolean, ms: number): Promise<void> {
    if (done()) return;
    const signal = this.state.request.signal;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, ms));
      this.wake = () => {
        if (done()) finish();
      };
      // Stopping: the wait ends now, with whatever came.
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  private async serverFlushLsn(): Promise<bigint> {
    const { rows } = await this.state.side.query<{ lsn: string }>(
      'SELECT pg_catalog.pg_current_wal_flush_lsn()::text AS lsn',
      [],
      'reading the server WAL position',
    );
    return lsnValue(rows[0]?.lsn as string);
  }

  async confirm(position: string): Promise<void> {
    const lsn = lsnValue(position);
    if (this.started) this.state.stream.confirm(lsn);
    else this.pendingConfirm = lsn;
  }

  async close(options?: { drop?: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    await this.state.stream.close();
    try {
      if (options?.drop) await dropChainState(this.state.side, this.state.name);
    } finally {
      await this.state.side.close();
    }
  }

  private start(): void {
    if (!this.followed)
      throw new StowageError(
        'pg-follow-setup',
        'changes of a new chain are read after its base',
        'call takeBase() before read()',
      );
    this.started = true;
    this.assembler = new TransactionAssembler(new RelationCheck(this.followed, this.state.filter));
    const assembler = this.assembler;
    this.state.stream.start(this.state.name, this.state.name, this.startPosition, {
      message: (data) => {
        if (this.broken) return;
        try {
          const tx = assembler.push(decodePgoutput(data), data.length);
          if (!tx || tx.endLsn <= this.skipUpTo) return;
          this.queue.push(tx);
          this.queuedBytes += tx.bytes;
          if (!this.paused && this.queuedBytes >= MAX_BUFFERED_BYTES) {
            this.paused = true;
            this.state.stream.pause();
          }
          this.wake?.();
        } catch (err) {
          this.broken = err as Error;
          this.wake?.();
        }
      },
      progressed: () => this.wake?.(),
      ended: (error) => {
        this.ended = { error };
        this.wake?.();
      },
    });
    if (this.pendingConfirm !== undefined) this.state.stream.confirm(this.pendingConfirm);
  }

  /** The followed sequences whose value moved since the last record. */
  private async readSequences(): Promise<PayloadSequence[]> {
    const wanted = this.followed?.sequences ?? [];
    if (!wanted.length) return [];
    const { rows } = await this.state.side.query<{ schema: string; name: string; last_value: string | null }>(
      `SELECT schemaname AS schema, sequencename AS name, last_value::text
         FROM pg_catalog.pg_sequences
        WHERE (schemaname, sequencename) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [wanted.map((s) => s.schema), wanted.map((s) => s.name)],
      'reading sequence values',
    );
    const moved: PayloadSequence[] = [];
    for (const r of rows) {
      if (r.last_value === null) continue; // never used since the base (or not readable)
      const key = qualify(r.schema, r.name);
      if (this.lastSequences.get(key) === r.last_value) continue;
      this.lastSequences.set(key, r.last_value);
      moved.push({ schema: r.schema, name: r.name, lastValue: r.last_value });
    }
    return moved;
  }

  private endError(error: unknown): Error {
    if (this.closed) return new StowageError('interrupted', 'the change feed was closed');
    // The server invalidated the slot (max_slot_wal_keep_size): the WAL it needed is gone.
    if (/can no longer get changes|has been invalidated/i.test(String((error as Error)?.message)))
      return new ChainBroken(
        `the replication slot ${this.state.name} lost the WAL it needed (max_slot_wal_keep_size); a new base is needed`,
      );
    const code = (error as { code?: string } | undefined)?.code;
    // 55006: a walsender took the slot between the wait for it and the start (another follower).
    if (code === '55006')
      return slotInUse(this.state.name, /PID (\d+)/.exec(String((error as Error).message))?.[1]);
    if (code === '42704')
      return new ChainBroken(
        `the replication slot ${this.state.name} no longer exists; a new base is needed`,
      );
    if (error === undefined)
      return new StowageError(
        'pg-connection-lost',
        'the server ended the replication stream',
        'run follow again: it resumes',
      );
    return this.state.stream.session.translate(error, 'streaming changes');
  }
}
