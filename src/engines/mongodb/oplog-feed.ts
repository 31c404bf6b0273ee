import { setTimeout as sleep } from 'node:timers/promises';
import { BSON, type Document, type FindCursor, type Timestamp } from 'mongodb';
import { StowageError } from '../../errors.js';
import {
  ChainBroken,
  type ChangeFeed,
  type ChangeTransaction,
  type EngineBackupRequest,
  type EngineBackupResult,
} from '../engine.js';
import { backupMongo } from './backup.js';
import type { Connection } from './connect.js';
import { INTERNAL_DATABASES } from './introspect.js';
import type { NamespaceFilter } from './namespace-filter.js';
import { formatOplogPosition } from './oplog-position.js';
import type { MongoBackupOptions } from './options.js';

const OPLOG_DB = 'local';
const OPLOG_COLLECTION = 'oplog.rs';
/** Entries handed out per read at most, so one read's memory stays bounded. */
const MAX_ENTRIES_PER_READ = 1000;
/** How often an idle poll asks again. */
const POLL_INTERVAL_MS = 200;

/**
 * How new oplog entries are found. `tail`: a tailable awaitData cursor, the
 * usual way on a replica set. `poll`: a query for `ts > last` in `$natural`
 * order, asked again while nothing came: FerretDB's tailable cursors return
 * the entries present when they opened and then nothing more, while such a
 * query sees new entries at once.
 */
export type OplogReadMode = 'tail' | 'poll';

/** The read mode for a server: polling on FerretDB, tailing elsewhere. */
export function oplogReadMode(server: { ferretdb?: string }): OplogReadMode {
  return server.ferretdb ? 'poll' : 'tail';
}

/** Which databases' entries a feed keeps: the named ones, or every non-internal one. */
export function followsNamespace(
  ns: string,
  databases: string[] | undefined,
  filter: NamespaceFilter,
): boolean {
  const dot = ns.indexOf('.');
  if (dot <= 0) return false;
  const db = ns.slice(0, dot);
  if (databases ? !databases.includes(db) : INTERNAL_DATABASES.has(db)) return false;
  const collection = ns.slice(dot + 1);
  // Commands ($cmd) are kept: collection creation, drops, renames and indexes replay too.
  if (collection === '$cmd') return true;
  if (collection.startsWith('system.') && collection !== 'system.js') return false;
  return filter.accepts(ns);
}

/**
 * A MongoDB change feed over `local.oplog.rs`. Each oplog entry is one
 * transaction (a multi-document transaction is one `applyOps` entry, so it
 * stays whole); its payload is the entry's BSON exactly as the server stored it.
 */
export class OplogFeed implements ChangeFeed {
  readonly startPosition: string;
  private last: Timestamp;
  private cursor: FindCursor<Buffer> | undefined;
  private closed = false;

  constructor(
    private readonly connection: Connection,
    start: Timestamp,
    private readonly url: string,
    private readonly options: MongoBackupOptions,
    /** Databases named by the options or URL; undefined: all but admin, local and config. */
    private readonly databases: string[] | undefined,
    private readonly filter: NamespaceFilter,
    private readonly mode: OplogReadMode,
    private readonly signal?: AbortSignal,
  ) {
    this.last = start;
    this.startPosition = formatOplogPosition(start);
  }

  async takeBase(request: Omit<EngineBackupRequest, 'url' | 'options'>): Promise<EngineBackupResult> {
    // The dump runs with its own oplog capture, so the base is one point in time
    // (its end) by itself; every entry after startPosition is also in the feed,
    // and replaying entries the base already holds changes nothing (replay is idempotent).
    return backupMongo({
      ...request,
      url: this.url,
      options: { ...this.options, ...(this.databases ? { databases: this.databases } : {}), oplog: true },
    });
  }

  async read(maxWaitMs: number): Promise<ChangeTransaction[]> {
    const deadline = Date.now() + maxWaitMs;
    await this.assertNotRolledOver();
    for (;;) {
      const entries = this.mode === 'poll' ? await this.poll() : await this.tail(deadline);
      const out: ChangeTransaction[] = [];
      for (const raw of entries) {
        const entry = BSON.deserialize(raw, { promoteValues: false, promoteLongs: false });
        const ts = entry.ts as Timestamp;
        this.last = ts;
        if (!this.keeps(entry)) continue;
        const wall = entry.wall instanceof Date ? entry.wall.getTime() : undefined;
        out.push({
          position: formatOplogPosition(ts),
          commitTime: wall ?? (ts.high >>> 0) * 1000,
          payload: raw,
        });
      }
      if (out.length > 0) return out;
      // Entries of other databases only: read on, so [] always means "nothing new was committed".
      if (entries.length >= MAX_ENTRIES_PER_READ) continue;
      if (this.closed || this.signal?.aborted || Date.now() >= deadline) return [];
      if (this.mode === 'poll' && entries.length === 0) {
        await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())), undefined, {
          signal: this.signal,
        }).catch(() => {});
      }
    }
  }

  async confirm(): Promise<void> {
    // The oplog is the server's own: nothing holds it back, so nothing to release.
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cursor?.close().catch(() => {});
    await this.connection.close().catch(() => {});
  }

  private keeps(entry: Document): boolean {
    const op = String(entry.op);
    if (op === 'n') return false;
    const ns = String(entry.ns);
    // Transactions log their operations nested under admin.$cmd.
    if (ns === 'admin.$cmd') {
      const nested = (entry.o as Document | undefined)?.applyOps as Document[] | undefined;
      return !!nested?.some((inner) => followsNamespace(String(inner.ns), this.databases, this.filter));
    }
    return followsNamespace(ns, this.databases, this.filter);
  }

  private oplog() {
    return this.connection.client.db(OPLOG_DB).collection(OPLOG_COLLECTION);
  }

  private async poll(): Promise<Buffer[]> {
    const cursor = this.oplog().find(
      { ts: { $gt: this.last } },
      { sort: { $natural: 1 }, limit: MAX_ENTRIES_PER_READ, raw: true },
    ) as unknown as FindCursor<Buffer>;
    try {
      return await cursor.toArray();
    } finally {
      await cursor.close().catch(() => {});
    }
  }

  private async tail(deadline: number): Promise<Buffer[]> {
    if (!this.cursor || this.cursor.closed) {
      this.cursor = this.oplog().find(
        { ts: { $gt: this.last } },
        { tailable: true, awaitData: true, raw: true, maxAwaitTimeMS: 1000, batchSize: MAX_ENTRIES_PER_READ },
      ) as unknown as FindCursor<Buffer>;
    }
    const out: Buffer[] = [];
    while (out.length < MAX_ENTRIES_PER_READ) {
      const next = await this.cursor.tryNext();
      if (next) {
        out.push(next);
        continue;
      }
      if (
        out.length > 0 ||
        this.cursor.closed ||
        this.closed ||
        this.signal?.aborted ||
        Date.now() >= deadline
      )
        break;
    }
    if (this.cursor.closed) this.cursor = undefined;
    return out;
  }

  /**
   * A resumed chain needs every entry after its last stored one; once the
   * capped oplog has dropped one of them, the chain cannot go on.
   */
  private async assertNotRolledOver(): Promise<void> {
    // A chain that began on an empty oplog has lost nothing from before it.
    if (this.last.isZero()) return;
    const oldest = await this.oplog()
      .find({}, { sort: { $natural: 1 }, limit: 1, projection: { ts: 1 } })
      .next();
    const ts = oldest?.ts as Timestamp | undefined;
    if (ts?.greaterThan(this.last)) {
      throw new ChainBroken(
        `the oplog no longer holds the entries after ${formatOplogPosition(this.last)} (its oldest is ${formatOplogPosition(ts)}): changes were lost, so a new chain with a fresh base starts`,
      );
    }
  }
}

/** The error for a server that keeps no oplog. */
export function noOplogError(kind: string): StowageError {
  return new StowageError(
    'mongo-no-oplog',
    `cannot follow ${kind}: it keeps no oplog (local.oplog.rs)`,
    'follow a replica set member (FerretDB: start it with --repl-set-name and create the capped collection local.oplog.rs)',
  );
}
