import { Readable } from 'node:stream';
import { StowageError } from '../../errors.js';
import type { ChangeFeedRequest, ChangePosition, EngineFollow, ReplayRequest } from '../engine.js';
import { connect } from './connect.js';
import { toStowageError } from './mongo-errors.js';
import { NamespaceFilter, NamespaceRenamer, splitNamespace, validateNamespace } from './namespace-filter.js';
import { hasOplog, oplogStart, replayOplog } from './oplog.js';
import { noOplogError, OplogFeed, oplogReadMode } from './oplog-feed.js';
import { compareOplogPositions, formatOplogPosition, parseOplogPosition } from './oplog-position.js';
import type { MongoBackupOptions, MongoRestoreOptions } from './options.js';
import { parseMongoSchema } from './schema.js';

/**
 * Continuous backup of MongoDB: the oplog as the change feed, its entries
 * replayed (idempotently, in timestamp order) onto a restored base.
 */
export const mongoFollow: EngineFollow = {
  async open(request: ChangeFeedRequest) {
    const options = (request.options ?? {}) as MongoBackupOptions;
    const connection = await connect(request.url, { poolSize: 2, appName: 'stowage-follow' });
    try {
      const { server, client } = connection;
      if (!(await hasOplog(client))) {
        throw noOplogError(server.ferretdb ? `FerretDB ${server.ferretdb}` : `a ${server.topology} server`);
      }
      const named = options.databases?.length
        ? options.databases
        : connection.urlDatabase && connection.urlDatabase !== 'admin'
          ? [connection.urlDatabase]
          : undefined;
      const start = request.resumeAfter ? parseOplogPosition(request.resumeAfter) : await oplogStart(client);
      return new OplogFeed(
        connection,
        start,
        request.url,
        options,
        named,
        new NamespaceFilter(options.include, options.exclude),
        oplogReadMode(server),
        request.signal,
      );
    } catch (error) {
      await connection.close().catch(() => {});
      throw toStowageError(error, { url: request.url, during: 'opening the oplog' });
    }
  },

  async replay(request: ReplayRequest) {
    const options = (request.options ?? {}) as MongoRestoreOptions;
    const schema = parseMongoSchema(request.schema);
    const filter = new NamespaceFilter(options.include, options.exclude);
    const renamer = new NamespaceRenamer(options.nsFrom, options.nsTo);
    const connection = await connect(request.url, { poolSize: 2, appName: 'stowage-replay' });
    // As restore does: a URL naming a database puts a one-database chain there.
    const archived = schema.databases.map((d) => d.name);
    const retarget =
      connection.urlDatabase &&
      connection.urlDatabase !== 'admin' &&
      renamer.isIdentity &&
      archived.length === 1
        ? connection.urlDatabase
        : undefined;
    const mapNamespace = (ns: string): string | null => {
      const dot = ns.indexOf('.');
      if (dot <= 0) return null;
      const collection = ns.slice(dot + 1);
      if (collection.startsWith('system.') && collection !== 'system.js') return null;
      if (!filter.accepts(ns)) return null;
      let out = renamer.rename(ns);
      if (retarget) out = `${retarget}.${splitNamespace(out).collection}`;
      validateNamespace(out, `replaying ${ns} as`);
      return out;
    };
    let last: ChangePosition | undefined;
    async function* payloads() {
      for await (const transaction of request.transactions) {
        last = transaction.position;
        yield transaction.payload;
      }
    }
    try {
      request.progress({ type: 'phase', phase: 'replay' });
      const { applied } = await replayOplog(
        connection.client,
        Readable.from(payloads(), { objectMode: false }),
        'changes',
        mapNamespace,
        request.signal,
      );
      return { applied, ...(last ? { last } : {}) };
    } catch (error) {
      if (error instanceof StowageError) throw error;
      throw toStowageError(error, { url: request.url, during: 'replaying changes' });
    } finally {
      await connection.close().catch(() => {});
    }
  },

  compare: compareOplogPositions,

  parsePosition(text: string) {
    return formatOplogPosition(parseOplogPosition(text));
  },

  async preflight(url: string) {
    const connection = await connect(url, { poolSize: 1, appName: 'stowage-follow' });
    try {
      if (!(await hasOplog(connection.client))) {
        const { server } = connection;
        throw noOplogError(server.ferretdb ? `FerretDB ${server.ferretdb}` : `a ${server.topology} server`);
      }
    } finally {
      await connection.close().catch(() => {});
    }
  },
};
