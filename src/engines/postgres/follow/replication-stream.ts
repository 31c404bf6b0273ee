import { StowageError } from '../../../errors.js';
import { PgSession, type PgTarget } from '../connect.js';
import { msToPgTime } from './lsn.js';

/**
 * One logical replication connection (`replication=database`): creates the
 * slot, then streams it. While streaming the connection is in COPY BOTH mode:
 * the server sends XLogData ('w') and keepalives ('k') as CopyData, and we
 * answer with standby status updates ('r') that carry the confirmed position.
 * pg has no API for COPY BOTH; like pg-logical-replication we listen to the
 * connection's `copyData` events and write CopyData ourselves.
 */

/**
 * Settings of the replication session, and of replay. The walsender formats
 * every value with its session's output functions: these make that text the
 * same whatever the server's defaults are, and replay reads it back (and, for
 * REPLICA IDENTITY FULL, compares it) under the same ones on any server.
 */
export const TEXT_OUTPUT_SETTINGS = {
  DateStyle: 'ISO',
  IntervalStyle: 'postgres',
  extra_float_digits: '3',
  bytea_output: 'hex',
  TimeZone: 'UTC',
  client_encoding: 'UTF8',
};

/** What the slot creation gives: where changes start, and the snapshot that sees exactly the data before it. */
export interface CreatedSlot {
  consistentPoint: string;
  /** Importable with SET TRANSACTION SNAPSHOT until this connection runs its next command. */
  snapshot: string;
}

export interface StreamHandlers {
  /** One pgoutput message, with the WAL position it came from. */
  message(data: Buffer): void;
  /** The server said how far it has decoded (a keepalive): see {@link ReplicationStream.receivedLsn}. */
  progressed(): void;
  /** The stream ended: an error (connection lost, slot gone) or undefined after a clean stop. */
  ended(error: unknown): void;
}

export class ReplicationStream {
  private streaming = false;
  private stopped = false;
  /** Highest WAL position the server said it has sent: reported as written. */
  private received = 0n;
  private flushed = 0n;

  private constructor(readonly session: PgSession) {}

  static async open(target: PgTarget, signal?: AbortSignal): Promise<ReplicationStream> {
    const session = await PgSession.open(target, {
      mode: 'backup',
      replication: true,
      settings: TEXT_OUTPUT_SETTINGS,
      signal,
    });
    return new ReplicationStream(session);
  }

  private get connection(): PgConnectionInternals {
    return (this.session.client as unknown as { connection: PgConnectionInternals }).connection;
  }

  /** `server_version_num` (SHOW works on replication connections). */
  async serverVersion(): Promise<number> {
    const { rows } = await this.session.query<{ server_version_num: string }>(
      'SHOW server_version_num',
      undefined,
      'reading the server version',
    );
    return Number(rows[0]?.server_version_num);
  }

  /**
   * Creates a permanent logical slot with pgoutput and exports its snapshot.
   * PostgreSQL 15 spells the snapshot option `(SNAPSHOT 'export')`; older
   * servers (10–14) only know `EXPORT_SNAPSHOT`.
   */
  async createSlot(name: string, serverVersion: number): Promise<CreatedSlot> {
    const sql =
      serverVersion >= 150000
        ? `CREATE_REPLICATION_SLOT ${name} LOGICAL pgoutput (SNAPSHOT 'export')`
        : `CREATE_REPLICATION_SLOT ${name} LOGICAL pgoutput EXPORT_SNAPSHOT`;
    const { rows } = await this.session.query<{ consistent_point: string; snapshot_name: string }>(
      sql,
      undefined,
      `creating the replication slot ${name}`,
    );
    const row = rows[0];
    if (!row?.snapshot_name)
      throw new StowageError('pg-error', `the server created slot ${name} without exporting a snapshot`);
    return { consistentPoint: row.consistent_point, snapshot: row.snapshot_name };
  }

  /** Starts streaming `slot` from after `startLsn`; handlers get every message until it ends. */
  start(slot: string, publication: string, startLsn: string, handlers: StreamHandlers): void {
    if (this.streaming) throw new Error('replication already started');
    this.streaming = true;
    const connection = this.connection;
    connection.on('copyData', (msg: { chunk: Buffer }) => {
      try {
        this.onCopyData(msg.chunk, handlers);
      } catch (err) {
        // A message we cannot read: nothing after it can be trusted.
        this.stopped = true;
        handlers.ended(err);
        this.session.destroy();
      }
    });
    const sql = `START_REPLICATION SLOT ${slot} LOGICAL ${startLsn} (proto_version '1', publication_names '${publication}')`;
    this.session.client.query(sql).then(
      () => handlers.ended(undefined),
      (err: unknown) => handlers.ended(this.stopped ? undefined : err),
    );
  }

  private onCopyData(chunk: Buffer, handlers: StreamHandlers): void {
    const kind = chunk[0];
    if (kind === 0x77) {
      // 'w' XLogData: start, end, send time, then one pgoutput message.
      const walEnd = chunk.readBigUInt64BE(9);
      if (walEnd > this.received) this.received = walEnd;
      handlers.message(chunk.subarray(25));
    } else if (kind === 0x6b) {
      // 'k' keepalive: the server's end of WAL, its clock, whether it wants an answer now.
      const walEnd = chunk.readBigUInt64BE(1);
      if (walEnd > this.received) this.received = walEnd;
      // Answered always, with what we have received: the walsender then pings again as soon
      // as it has decoded further, which is how read() learns the stream caught up.
      this.sendStatus();
      handlers.progressed();
    }
  }

  /** Tells the server everything up to `lsn` is stored: the slot may release the WAL before it. */
  confirm(lsn: bigint): void {
    if (lsn > this.flushed) this.flushed = lsn;
    this.sendStatus();
  }

  /** The status update: only the flush position moves the slot; write is what we have received. */
  private sendStatus(): void {
    if (!this.streaming || this.stopped) return;
    const written = this.received > this.flushed ? this.received : this.flushed;
    const msg = Buffer.alloc(34);
    msg[0] = 0x72; // 'r'
    msg.writeBigUInt64BE(written, 1);
    msg.writeBigUInt64BE(this.flushed, 9);
    msg.writeBigUInt64BE(this.flushed, 17);
    msg.writeBigInt64BE(msToPgTime(Date.now()), 25);
    msg[33] = 0;
    this.connection.sendCopyFromChunk(msg);
  }

  /** Stops reading from the socket (the server then waits): backpressure for a slow consumer. */
  pause(): void {
    this.connection.stream.pause();
  }

  resume(): void {
    this.connection.stream.resume();
  }

  /** How far the server has decoded and sent: every transaction committed before it has arrived. */
  get receivedLsn(): bigint {
    return this.received;
  }

  /** Ends the connection; the walsender exits and releases the slot. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.streaming) {
      // Ending COPY BOTH politely waits for the server; a terminated connection is as good for a slot.
      this.session.destroy();
      return;
    }
    await this.session.close();
  }
}

/** The part of pg's (untyped, internal) Connection used here. */
interface PgConnectionInternals {
  on(event: 'copyData', listener: (msg: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void };
}
