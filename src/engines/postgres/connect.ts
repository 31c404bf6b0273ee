import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import pg from 'pg';
import { abortReason, connectUnlessAborted } from '../../abort-connecting.js';
import { StowageError, UsageError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { sendCancelRequest } from './cancel-request.js';
import { type ConnInfo, describeHosts, isKeywordConnString, type PgHost, parseConnInfo } from './conninfo.js';
import { type ErrorContext, isDriverError, translatePgError } from './pg-errors.js';
import { canPipeline, enterPipeline } from './pipeline-mode.js';
import { createBackupSocket } from './socket-feed.js';

/**
 * Connections. Every session the engine opens goes through {@link PgSession}:
 * it owns one `pg.Client`, turns every error into a one-line StowageError with
 * the password removed, and never lets an idle connection's error crash the
 * process (a bare `pg.Client` emits an unhandled `'error'` when the server
 * goes away between queries).
 */

/** A resolved connection string, with what messages may show. */
export interface PgTarget {
  /** What the user gave (it may hold a password: show it only through redactConnString). */
  url: string;
  /** Every parameter, resolved the way libpq would (conninfo.ts). */
  info: ConnInfo;
  /** `host:port` (or the socket folder), for messages. */
  server: string;
  database: string;
  user: string;
  password: string | undefined;
}

/** Resolves a connection string (URL or `key=value` pairs) the way psql and pg_dump would. */
export function parseTarget(url: string): PgTarget {
  if (!isKeywordConnString(url) && !/^postgres(ql)?:\/\//i.test(url)) {
    throw new UsageError(
      `not a PostgreSQL URL: ${redactUrl(url)}`,
      'use postgres://user:password@host:port/database, or key=value pairs such as "host=db dbname=shop"',
    );
  }
  const info = parseConnInfo(url);
  return {
    url,
    info,
    server: describeHosts(info),
    database: info.database,
    user: info.user,
    password: info.password,
  };
}

/** The same target pointing at another database (for CREATE DATABASE from the maintenance database). */
export function withDatabase(target: PgTarget, database: string): PgTarget {
  const info = { ...target.info, database };
  return { ...target, info, database };
}

/** The driver's settings for one host of a target. */
function clientConfig(target: PgTarget, host: PgHost, ssl: boolean): pg.ClientConfig {
  const { info } = target;
  return {
    host: host.host,
    port: host.port,
    user: info.user,
    database: info.database,
    // A function, so a missing password is asked for only when the server
    // wants one, and the error then says where a password can come from.
    password: async () => {
      if (info.password !== undefined) return info.password;
      throw new StowageError(
        'pg-auth',
        `password required for user ${info.user} on ${describeHosts({ hosts: [host] })}`,
        'give it in the URL, PGPASSWORD or ~/.pgpass',
      );
    },
    application_name: info.applicationName,
    ...(info.options ? { options: info.options } : {}),
    connectionTimeoutMillis: info.connectTimeout > 0 ? info.connectTimeout * 1000 : 15_000,
    ssl: ssl ? sslConfig(info) : false,
  };
}

/** TLS settings for an sslmode, with libpq's meaning of each mode. */
function sslConfig(info: ConnInfo): pg.ClientConfig['ssl'] {
  const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
  const ca = read(info.sslrootcert);
  const cert = read(info.sslcert);
  const key = read(info.sslkey);
  const files = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  switch (info.sslmode) {
    case 'verify-full':
      return { ...files, rejectUnauthorized: true };
    case 'verify-ca':
      // The chain is checked, the host name is not.
      return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    default:
      return { ...files, rejectUnauthorized: false };
  }
}

/** Whether to try TLS first, and whether plain TCP may follow a refusal (libpq's prefer/allow). */
function sslPlan(info: ConnInfo, host: PgHost): boolean[] {
  if (host.host.startsWith('/')) return [false]; // never TLS over a Unix socket, as libpq
  switch (info.sslmode) {
    case 'disable':
      return [false];
    case 'allow':
      return [false, true];
    case 'prefer':
      // On loopback TLS protects nothing, and some local servers (PGlite's
      // socket server) drop a TLS request instead of declining it: plain
      // first, TLS only when the server insists.
      return isLoopback(host.host) ? [false, true] : [true, false];
    default:
      return [true];
  }
}

/** A replication connection's extras: the mode, and the settings as `-c name=value` startup options. */
function replicationConfig(
  target: PgTarget,
  settings: Record<string, string> = {},
): Partial<pg.ClientConfig> {
  const escapeValue = (v: string) => v.replace(/[\\ ]/g, '\\$&');
  const startup = Object.entries(settings).map(([k, v]) => `-c ${k}=${escapeValue(v)}`);
  const options = [target.info.options, ...startup].filter(Boolean).join(' ');
  return { replication: 'database', ...(options ? { options } : {}) } as Partial<pg.ClientConfig>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT';
}

function serverRefusedTls(error: unknown): boolean {
  return /does not support SSL/i.test(String((error as Error)?.message));
}

export interface SessionOptions {
  mode: 'backup' | 'restore';
  /**
   * A logical replication connection (`replication=database`): it runs
   * replication commands and simple queries only, so `settings` go in as
   * startup options instead.
   */
  replication?: boolean;
  /** Session settings applied right after connecting (`SET name = value`). */
  settings?: Record<string, string>;
  /**
   * Settings applied with `settings` where the server knows them and skipped where it does not
   * (a setting newer than the server, such as `jit` before PostgreSQL 11), in the same round trip.
   */
  settingsIfKnown?: Record<string, string>;
  /**
   * More output columns (a SELECT list) for the statement that applies the settings: their row is
   * kept as {@link PgSession.firstRow}. A session's first question asked this way costs no round
   * trip of its own (pg sends a statement only once the one before it has been answered).
   */
  alongside?: string;
  /** Ends the session's work: by default its connection is dropped at once. */
  signal?: AbortSignal;
  /**
   * The signal cancels the running statement through the server (a cancel request) instead of
   * dropping the connection, so the session stays for cleanup (the maintenance session of
   * `--create`, which drops the database again): see {@link PgSession.queryWithin}.
   */
  signalCancels?: boolean;
}

/**
 * How long a statement cancelled by the signal (or a cleanup statement) gets to answer; past it
 * its connection is dropped. Cancelling a waiting or copying statement takes milliseconds: a
 * server silent this long has stopped answering.
 */
export const CANCEL_ANSWER_MS = 5_000;
/** How long the server gets to see a closing connection off before it is dropped. */
const CLOSE_WAIT_MS = 2_000;

/**
 * Connects to the first host that answers, in order, as libpq does; with
 * sslmode prefer (the default) TLS is tried first and plain TCP after a
 * server that has no TLS. The last failure is the one reported.
 */
async function connectFirst(
  target: PgTarget,
  options: SessionOptions,
  context: ErrorContext,
): Promise<pg.Client> {
  const { mode } = options;
  let last: unknown;
  for (const host of target.info.hosts) {
    for (const ssl of sslPlan(target.info, host)) {
      const client = new pg.Client({
        ...clientConfig(target, host, ssl),
        ...(options.replication ? replicationConfig(target, options.settings) : {}),
        keepAlive: true,
        // Backup sessions read COPY data into reusable buffers (socket-feed.ts).
        ...(mode === 'backup' && !options.replication
          ? { stream: createBackupSocket as unknown as pg.ClientConfig['stream'] }
          : {}),
      });
      // Swallow errors until the session owns the client: connect() rejects with the same error.
      client.on('error', () => {});
      try {
        await connectUnlessAborted(
          () => client.connect(),
          options.signal,
          () => driverSocket(client)?.destroy(),
        );
        return client;
      } catch (err) {
        void client.end().catch(() => {});
        last = err;
        if (err instanceof StowageError) throw err;
        const sqlstate = isDriverError(err) ? (err as { code?: string }).code : undefined;
        // sslmode allow (and prefer on loopback): pg_hba may want TLS ("no encryption").
        if (!ssl && sqlstate === '28000' && /no encryption/i.test(String((err as Error).message))) continue;
        if (sqlstate?.length === 5) throw translatePgError(err, context);
        // sslmode prefer: a server without TLS says so, or (PGlite's socket
        // server, some proxies) just closes the connection; plain TCP follows.
        if (ssl && (serverRefusedTls(err) || !isUnreachable(err))) continue;
        break; // unreachable: try the next host
      }
    }
  }
  throw translatePgError(last, context);
}

/** The driver's socket (pg keeps it on its connection; there is no public way to reach it). */
function driverSocket(client: pg.Client): Socket | undefined {
  return (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
}

/** A statement that got no answer within its bound; its connection was dropped, so what it did on the server is unknown. */
export class NoAnswerError extends StowageError {
  constructor(server: string, doing: string, waitMs: number) {
    super('pg-error', `PostgreSQL at ${server} did not answer within ${waitMs / 1000} s while ${doing}`);
    this.name = 'NoAnswerError';
  }
}

/** One connection with error translation. */
export class PgSession {
  /** The error that killed the connection while idle, if any. */
  lost: unknown;
  /**
   * With `signalCancels`: a statement running when the signal came got no answer within
   * {@link CANCEL_ANSWER_MS} of the cancel, and its connection was dropped; what it did is unknown.
   */
  unanswered = false;
  private closed = false;
  /** Statements sent and not yet answered (queryWithin's excepted). */
  private running = 0;
  private cancelWait: NodeJS.Timeout | undefined;
  /** The cancel request sent on the signal, until the server has taken it (or gave up on it). */
  private cancelling: Promise<boolean> | undefined;
  private readonly onAbort = () => (this.signalCancels ? this.cancelRunning() : this.destroy());
  /** The row of the columns asked {@link SessionOptions.alongside} the settings, when some were. */
  firstRow: Record<string, unknown> | undefined;
  /** Statements given to {@link inTurn} and not yet answered, the one on the wire included. */
  private turnsOpen = 0;
  /** What {@link refuseAfterCancel} threw: said as it is, not translated as the server's. */
  private refusal: Error | undefined;
  /** Statements given to {@link inTurn} that wait for an answer before they are sent. */
  private unsent = 0;
  /** Settles once the statement given to {@link inTurn} last has its answer. */
  private lastAnswer: Promise<void> = Promise.resolve();

  private constructor(
    readonly client: pg.Client,
    readonly target: PgTarget,
    readonly context: ErrorContext,
    private readonly signal: AbortSignal | undefined,
    private readonly signalCancels = false,
    /** Statements given to {@link inTurn} while others are answered are written at once (pipeline-mode.ts). */
    private readonly pipelines = false,
  ) {
    client.on('error', (err) => {
      this.lost = err;
    });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Connects, applies settings, and translates a failure into a StowageError. */
  static async open(target: PgTarget, options: SessionOptions): Promise<PgSession> {
    const context: ErrorContext = {
      server: target.server,
      database: target.database,
      user: target.user,
      password: target.password,
      hosts: target.info.hosts.map((h) => h.host),
      mode: options.mode,
    };
    const client = await connectFirst(target, options, context);
    // A backup's statements, not a restore's: a cancel (signalCancels) stops the one statement
    // the server runs, and those written behind it would still run.
    const pipelines = options.mode === 'backup' && !options.replication && !options.signalCancels;
    const session = new PgSession(client, target, context, options.signal, options.signalCancels, pipelines);
    if (options.replication) return session;
    const settings = {
      statement_timeout: '0',
      idle_in_transaction_session_timeout: '0',
      lock_timeout: '0',
      ...options.settings,
    };
    // One round trip for all settings; set_config() keeps the values out of SQL syntax.
    const names = Object.keys(settings);
    const ifKnown = Object.entries(options.settingsIfKnown ?? {});
    const columns = names.map((_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, false)`);
    for (let i = names.length; i < names.length + ifKnown.length; i++) {
      // current_setting(name, missing_ok) is null for a setting the server does not have (PostgreSQL 9.6+).
      columns.push(
        `CASE WHEN pg_catalog.current_setting($${2 * i + 1}, true) IS NOT NULL THEN pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, false) END`,
      );
    }
    if (options.alongside) columns.push(options.alongside);
    try {
      const { rows } = await session.query(`SELECT ${columns.join(', ')}`, [
        ...names.flatMap((n) => [n, settings[n as keyof typeof settings] as string]),
        ...ifKnown.flat(),
      ]);
      if (options.alongside) session.firstRow = rows[0];
    } catch (err) {
      // Nobody else holds the session yet (an interrupt while it connected, say).
      session.destroy();
      // The signal destroyed the connection under the settings' query ("Connection terminated"):
      // the run was interrupted, not the server out of reach.
      throw options.signal?.aborted ? abortReason(options.signal) : err;
    }
    return session;
  }

  /** Runs one statement; errors come back as StowageErrors that say what we were doing. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
    doing?: string,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.inTurn(() => this.client.query<R>(sql, params));
    } catch (err) {
      throw err === this.refusal ? err : this.translate(err, doing);
    }
  }

  /**
   * Runs one statement, waiting at most `waitMs` for its answer: past that the connection is
   * dropped and it throws {@link NoAnswerError} (the statement may still complete on the
   * server). Also after the signal (with `signalCancels`): for cleanup.
   */
  async queryWithin<R extends pg.QueryResultRow = pg.QueryResultRow>(
    waitMs: number,
    sql: string,
    params: unknown[],
    doing: string,
  ): Promise<pg.QueryResult<R>> {
    // A cancel request still on its way could reach this statement instead of the one it was for:
    // once the server has taken it, an idle backend has ignored it.
    await this.cancelling;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.destroy();
        reject(new NoAnswerError(this.target.server, doing, waitMs));
      }, waitMs);
    });
    try {
      return await Promise.race([
        this.client.query<R>(sql, params).catch((err: unknown) => {
          throw this.translate(err, doing);
        }),
        silent,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs one statement and hands each row to `onRow` as it arrives, keeping
   * none: for a result too large to hold as row objects at once (pg_depend
   * with thousands of tables). An error thrown by `onRow` ends the call with
   * that error once the statement is over (the driver is mid-message when it
   * hands a row out).
   */
  async eachRow<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] | undefined,
    onRow: (row: R) => void,
    doing?: string,
  ): Promise<void> {
    const query = new pg.Query<R>(sql, params);
    let failed: { error: unknown } | undefined;
    // A 'row' listener is what makes the driver hand rows out instead of accumulating them.
    query.on('row', (row: R) => {
      if (failed) return;
      try {
        onRow(row);
      } catch (error) {
        failed = { error };
      }
    });
    try {
      await this.inTurn(
        () =>
          new Promise<void>((resolve, reject) => {
            query.once('end', () => resolve());
            query.once('error', reject);
            this.client.query(query);
          }),
      );
    } catch (err) {
      throw err === this.refusal ? err : this.translate(err, doing);
    }
    if (failed) throw failed.error;
  }

  /**
   * With `signalCancels`, once the signal came: the run is over, and a statement sent now would
   * not be cancelled by it (cleanup goes through queryWithin, bounded).
   */
  private refuseAfterCancel(): void {
    if (!this.signalCancels || !this.signal?.aborted) return;
    const reason: unknown = this.signal.reason;
    this.refusal = reason instanceof Error ? reason : new StowageError('interrupted', 'interrupted');
    throw this.refusal;
  }

  /** The signal came: the server is asked to cancel what this session runs, and gets a bounded time to answer. */
  private cancelRunning(): void {
    if (this.closed || this.running === 0) return;
    // Past the wait the connection goes, and the statement fails with it.
    this.cancelWait = setTimeout(() => {
      if (this.running === 0) return;
      this.unanswered = true;
      this.destroy();
    }, CANCEL_ANSWER_MS);
    this.cancelling = sendCancelRequest(this.client, CANCEL_ANSWER_MS);
  }

  /**
   * Sends a statement (refused after a cancel, counted in {@link running} until
   * answered) once every one given here before it has its answer: at once when
   * none is open (so a caller's next direct submission still follows it), else right
   * after the last answer, before the code awaiting that answer resumes. The catalog's
   * readers share a session on purpose, one turning its rows into objects while the
   * server runs the next reader's query; pg 8 queues a query sent while another runs
   * but warns about it on stderr (a DeprecationWarning on every backup) and pg 9
   * refuses it, so the queue is ours.
   *
   * A backup's session writes it at once behind the open ones instead (pg's pipeline mode,
   * pipeline-mode.ts): the server then starts it the moment it has answered the one before,
   * not a client turn later (~0.5 ms each on a busy machine, some 15 statements a session).
   * Each statement keeps its own Sync, answer and error, and they run in the order given, as
   * before; within a transaction one that fails aborts it for those behind it, as it did.
   */
  private inTurn<T>(send: () => Promise<T>): Promise<T> {
    // Never ahead of one still waiting for its turn: the order given is the order run.
    const pipelined = this.pipelines && this.turnsOpen > 0 && this.unsent === 0 && canPipeline(this.client);
    const previous = this.turnsOpen > 0 && !pipelined ? this.lastAnswer : undefined;
    this.turnsOpen++;
    if (previous) this.unsent++;
    let answered!: () => void;
    this.lastAnswer = new Promise<void>((resolve) => {
      answered = () => {
        this.turnsOpen--;
        resolve();
      };
    });
    const go = (): Promise<T> => {
      let answer: Promise<T>;
      try {
        this.refuseAfterCancel();
        if (pipelined) enterPipeline(this.client);
        answer = send();
      } catch (err) {
        answered();
        return Promise.reject(err);
      }
      this.running++;
      const settled = () => {
        this.answered();
        answered();
      };
      // Registered first, so the next statement goes out before the awaiting caller resumes.
      answer.then(settled, settled);
      return answer;
    };
    return previous
      ? previous.then(() => {
          this.unsent--;
          return go();
        })
      : go();
  }

  private answered(): void {
    this.running--;
    if (this.running === 0 && this.cancelWait) {
      clearTimeout(this.cancelWait);
      this.cancelWait = undefined;
    }
  }

  /**
   * Translates an error raised on this session. Errors that did not come from
   * the server or driver (a failing archive stream) pass through unchanged.
   */
  translate(err: unknown, doing?: string): Error {
    if (this.lost === undefined && !isDriverError(err))
      return err instanceof Error ? err : new Error(String(err));
    return translatePgError(this.lost ?? err, { ...this.context, doing });
  }

  /**
   * Ends the connection politely. Safe to call twice. A server that does not see it off within
   * {@link CLOSE_WAIT_MS} (one that stopped answering) has the connection dropped instead.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    let timer: NodeJS.Timeout | undefined;
    const seen = await Promise.race([
      this.client.end().then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!seen) this.dropSocket();
  }

  /**
   * Ends the connection as libpq's PQfinish does: Terminate is written and the socket closed once it
   * is, without waiting for the server to close its own end (10-20 ms at the end of a backup on a
   * busy machine, the backend's exit). Only for a session whose work the server has confirmed:
   * the server process may still be exiting when this resolves, so a caller that needs it gone
   * (dropping or cloning the database) uses {@link close}. Safe to call twice.
   */
  async finish(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    const socket = driverSocket(this.client);
    const ended = this.client.end().catch(() => {});
    if (socket && !socket.destroyed) {
      // pg ends its side of the socket once Terminate is written: 'finish' says both went out.
      if (!socket.writableFinished)
        await new Promise((resolve) => socket.once('finish', resolve).once('close', resolve));
      socket.destroy();
    }
    await ended;
  }

  /** Drops the connection at once (abort, or cleanup after a failure mid-COPY). */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    // end() waits for the server; on a stuck COPY we want the socket gone now.
    this.dropSocket();
    void this.client.end().catch(() => {});
  }

  private dropSocket(): void {
    driverSocket(this.client)?.destroy();
  }
}
