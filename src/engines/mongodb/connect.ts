import { MongoClient, type MongoClientOptions } from 'mongodb';
import { connectUnlessAborted } from '../../abort-connecting.js';
import { toStowageError } from './mongo-errors.js';
import { connectUnlessRefused } from './refused-fast.js';
import { databaseFromUrl } from './url.js';

/**
 * Opening a client and learning what kind of server is on the other end.
 */

/** What the engine needs to know about the server it talks to. */
export interface ServerInfo {
  version: string;
  topology: 'standalone' | 'replicaSet' | 'sharded';
  /** FerretDB's own version when the server is FerretDB (it reports a MongoDB version too). */
  ferretdb?: string;
  maxBsonObjectSize: number;
  maxMessageSizeBytes: number;
  maxWriteBatchSize: number;
}

/** A connected client plus facts about the server. */
export interface Connection {
  client: MongoClient;
  server: ServerInfo;
  /** The database named in the URL path, if any. */
  urlDatabase?: string;
  close(): Promise<void>;
}

/**
 * A short server-selection timeout: the driver's default of 30 s makes a typo
 * in a host name look like a hang. URLs that set their own values win.
 */
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Connects and probes the server. Every failure comes back as a one-line
 * StowageError (unreachable, authentication, bad URL) with credentials
 * redacted. `signal` ends the attempt at once (closing the client), with the
 * signal's reason as the error.
 */
export async function connect(
  url: string,
  options: { poolSize: number; appName?: string; signal?: AbortSignal | undefined },
): Promise<Connection> {
  const clientOptions: MongoClientOptions = {
    maxPoolSize: Math.max(2, options.poolSize),
    appName: options.appName ?? 'stowage',
    // The engine decides about retries itself; a retried getMore is not possible anyway.
    retryWrites: false,
  };
  if (!/[?&]serverSelectionTimeoutMS=/i.test(url))
    clientOptions.serverSelectionTimeoutMS = DEFAULT_TIMEOUT_MS;
  if (!/[?&]connectTimeoutMS=/i.test(url)) clientOptions.connectTimeoutMS = DEFAULT_TIMEOUT_MS;

  let client: MongoClient;
  try {
    client = new MongoClient(url, clientOptions);
  } catch (error) {
    throw toStowageError(error, { url, during: 'connecting' });
  }
  try {
    const giveUp = () => void client.close().catch(() => {});
    const server = await connectUnlessAborted(
      async () => {
        await connectUnlessRefused(url, client.connect(), giveUp);
        return probeServer(client);
      },
      options.signal,
      giveUp,
    );
    endOnServerLoss(client);
    const urlDatabase = databaseFromUrl(url);
    return {
      client,
      server,
      ...(urlDatabase ? { urlDatabase } : {}),
      close: () => client.close(),
    };
  } catch (error) {
    await client.close().catch(() => {});
    throw toStowageError(error, { url, during: 'connecting' });
  }
}

/**
 * A server lost mid-run (killed, restarted, its connections cut) fails the run at its first
 * failed operation: the engine retries nothing. The operations still queued on the client (the
 * other workers' inserts or reads, the killCursors of cleanup) would each wait out server
 * selection (5 s) before failing the same way, so the run ended 5 s after the loss where
 * PostgreSQL's ends at once. The driver clears a server's pool when a connection to it fails
 * (a network error, not a refusal by the server): the client is closed then, which fails every
 * waiting operation at once ("client was closed", a connection loss too).
 */
function endOnServerLoss(client: MongoClient): void {
  client.once('connectionPoolCleared', () => {
    // A moment later: the operation whose connection failed reports first, as the run's error.
    setTimeout(() => void client.close().catch(() => {}), LOSS_REPORT_MS).unref();
  });
}

/** Time for the failed operation's error to reach the engine before the rest are ended. */
const LOSS_REPORT_MS = 100;

/** Asks the server what it is: version, topology, size limits, FerretDB or not. */
export async function probeServer(client: MongoClient): Promise<ServerInfo> {
  const admin = client.db('admin');
  const hello = await admin.command({ hello: 1 });
  const build = await admin.command({ buildInfo: 1 });
  const topology: ServerInfo['topology'] =
    hello.msg === 'isdbgrid' ? 'sharded' : hello.setName ? 'replicaSet' : 'standalone';
  const ferretdb =
    typeof build.ferretdbVersion === 'string' ? build.ferretdbVersion : build.ferretdb?.version;
  return {
    version: String(build.version ?? 'unknown'),
    topology,
    ...(typeof ferretdb === 'string' ? { ferretdb } : {}),
    maxBsonObjectSize: Number(hello.maxBsonObjectSize ?? 16 * 1024 * 1024),
    maxMessageSizeBytes: Number(hello.maxMessageSizeBytes ?? 48_000_000),
    maxWriteBatchSize: Number(hello.maxWriteBatchSize ?? 100_000),
  };
}
