import type { AnyBulkWriteOperation, Document, MongoClient } from 'mongodb';
import { StowageError } from '../../errors.js';

/**
 * Oplog entries as ordinary writes, for servers that have no `applyOps`
 * command (FerretDB) or users not allowed to run it. Each write has the
 * effect a replica set member's oplog application has, and like it is
 * idempotent: an insert replaces the document by `_id` (upserting), an update
 * upserts, a delete of a missing document does nothing. So replaying entries
 * the dump already saw, or replaying twice, ends in the same state.
 */
export type OplogWrite =
  | { kind: 'document'; db: string; collection: string; op: AnyBulkWriteOperation }
  | { kind: 'command'; db: string; command: Document };

function splitNamespace(ns: string): { db: string; collection: string } {
  const dot = ns.indexOf('.');
  return { db: ns.slice(0, dot), collection: ns.slice(dot + 1) };
}

function unreplayable(entry: Document, why: string): StowageError {
  return new StowageError(
    'mongo-oplog-unreplayable',
    `cannot replay oplog entry ${String(entry.op)} on ${String(entry.ns)} without applyOps: ${why}`,
    'restore into a MongoDB replica set member where the user may run applyOps, or restore with --no-oplog-replay',
  );
}

/** `true` when the update document is made of operators (`$set`, `$unset`, …), not a replacement. */
function isOperatorUpdate(o: Document): boolean {
  return Object.keys(o).some((key) => key.startsWith('$'));
}

/** The writes that apply one (already namespace-mapped) oplog entry; a transaction gives several. */
export function oplogEntryToWrites(entry: Document): OplogWrite[] {
  const op = String(entry.op);
  const o = (entry.o ?? {}) as Document;
  if (op === 'i') {
    const { db, collection } = splitNamespace(String(entry.ns));
    return [
      {
        kind: 'document',
        db,
        collection,
        op: { replaceOne: { filter: { _id: o._id }, replacement: o, upsert: true } },
      },
    ];
  }
  if (op === 'u') {
    const { db, collection } = splitNamespace(String(entry.ns));
    const filter = (entry.o2 ?? {}) as Document;
    if (!isOperatorUpdate(o)) {
      return [
        { kind: 'document', db, collection, op: { replaceOne: { filter, replacement: o, upsert: true } } },
      ];
    }
    const { $v: version, ...update } = o;
    // FerretDB logs every update as `$set` of the whole new document, `_id`
    // included; applied as a $set it would keep fields the update removed.
    // MongoDB never logs `_id` in a $set (it cannot change), so a lone $set
    // that carries `_id` is a post-image and replaces the document.
    const set = update.$set as Document | undefined;
    if (Object.keys(update).length === 1 && set && '_id' in set) {
      return [
        { kind: 'document', db, collection, op: { replaceOne: { filter, replacement: set, upsert: true } } },
      ];
    }
    // $v 2 entries carry a delta ("diff") that only the server's own oplog
    // application understands; $v 1 (and FerretDB's) are plain $set/$unset.
    if ((version !== undefined && Number(version) !== 1) || 'diff' in update) {
      throw unreplayable(entry, `update format $v ${String(version)} needs the server's applyOps`);
    }
    return [{ kind: 'document', db, collection, op: { updateOne: { filter, update, upsert: true } } }];
  }
  if (op === 'd') {
    const { db, collection } = splitNamespace(String(entry.ns));
    return [{ kind: 'document', db, collection, op: { deleteOne: { filter: o } } }];
  }
  if (op === 'c') {
    const { db } = splitNamespace(String(entry.ns));
    const name = Object.keys(o)[0];
    if (name === 'applyOps') return (o.applyOps as Document[]).flatMap((inner) => oplogEntryToWrites(inner));
    if (name === 'renameCollection') return [{ kind: 'command', db: 'admin', command: o }];
    if (name === 'createIndexes') {
      // The oplog holds one index per entry, flattened into the command.
      const { createIndexes: collection, ...spec } = o;
      return [{ kind: 'command', db, command: { createIndexes: collection, indexes: [spec] } }];
    }
    return [{ kind: 'command', db, command: o }];
  }
  return [];
}

/**
 * Applies writes in order, batching runs of document writes to one
 * collection into one ordered bulk write (ordered, so a run keeps the oplog's
 * order within it).
 */
export class OplogWriteBatcher {
  private pending: { db: string; collection: string; ops: AnyBulkWriteOperation[] } | undefined;

  constructor(
    private readonly client: MongoClient,
    private readonly maxBatch = 1000,
  ) {}

  async add(write: OplogWrite): Promise<void> {
    if (write.kind === 'command') {
      await this.flush();
      await this.client.db(write.db).command(write.command);
      return;
    }
    const p = this.pending;
    if (p && (p.db !== write.db || p.collection !== write.collection)) await this.flush();
    this.pending ??= { db: write.db, collection: write.collection, ops: [] };
    this.pending.ops.push(write.op);
    if (this.pending.ops.length >= this.maxBatch) await this.flush();
  }

  async flush(): Promise<void> {
    const p = this.pending;
    this.pending = undefined;
    if (!p || p.ops.length === 0) return;
    await this.client.db(p.db).collection(p.collection).bulkWrite(p.ops, { ordered: true });
  }
}
