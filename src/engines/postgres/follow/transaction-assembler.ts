import { StowageError } from '../../../errors.js';
import type { ChangePayload, PayloadChange, PayloadRelation } from './change-payload.js';
import { PAYLOAD_VERSION } from './change-payload.js';
import type { RelationCheck } from './followed-tables.js';
import { formatLsn, pgTimeToMs } from './lsn.js';
import type { PgoutputMessage, RelationMessage } from './pgoutput.js';

/** One whole committed transaction, before sequences are attached and it is encoded. */
export interface AssembledTransaction {
  /** The commit record's end: confirming it means the server never sends this transaction again. */
  endLsn: bigint;
  position: string;
  commitTime: number;
  payload: ChangePayload;
  /** Size of the decoded messages, for backpressure. */
  bytes: number;
}

/**
 * Groups the stream's messages into whole transactions (Begin … Commit) of
 * followed tables, with the relation descriptions each one uses, so each
 * payload stands alone. Transactions that change no followed table are
 * dropped. A relation that no longer matches the base throws ChainBroken;
 * what was complete before it is already out.
 */
export class TransactionAssembler {
  private readonly relations = new Map<number, { message: RelationMessage; follow: boolean }>();
  private current:
    | { xid: number; changes: PayloadChange[]; used: Map<number, PayloadRelation>; bytes: number }
    | undefined;

  constructor(private readonly relationCheck: RelationCheck) {}

  /** Takes one message; returns the transaction it completes, if it is a Commit. */
  push(message: PgoutputMessage, size: number): AssembledTransaction | undefined {
    switch (message.tag) {
      case 'begin':
        this.current = { xid: message.xid, changes: [], used: new Map(), bytes: 0 };
        return undefined;
      case 'relation':
        // Checked when described, before any of its changes: DDL ends the chain at this transaction.
        this.relations.set(message.relationId, {
          message,
          follow: this.relationCheck.check(message) === 'follow',
        });
        return undefined;
      case 'type':
      case 'origin':
      case 'message':
        return undefined;
      case 'insert':
        if (this.use(message.relationId))
          this.add({ op: 'insert', rel: message.relationId, new: message.new }, size);
        return undefined;
      case 'update':
        if (this.use(message.relationId))
          this.add(
            {
              op: 'update',
              rel: message.relationId,
              ...(message.key ? { key: message.key } : {}),
              ...(message.old ? { old: message.old } : {}),
              new: message.new,
            },
            size,
          );
        return undefined;
      case 'delete':
        if (this.use(message.relationId))
          this.add(
            {
              op: 'delete',
              rel: message.relationId,
              ...(message.key ? { key: message.key } : {}),
              ...(message.old ? { old: message.old } : {}),
            },
            size,
          );
        return undefined;
      case 'truncate': {
        const rels = message.relationIds.filter((id) => this.use(id));
        if (rels.length) this.add({ op: 'truncate', rels, restartIdentity: message.restartIdentity }, size);
        return undefined;
      }
      case 'commit': {
        const tx = this.current;
        this.current = undefined;
        if (!tx) throw outOfOrder('a commit without its begin');
        if (!tx.changes.length) return undefined;
        return {
          endLsn: message.endLsn,
          position: formatLsn(message.endLsn),
          commitTime: pgTimeToMs(message.commitTime),
          payload: {
            v: PAYLOAD_VERSION,
            xid: tx.xid,
            relations: [...tx.used.values()],
            changes: tx.changes,
          },
          bytes: tx.bytes,
        };
      }
    }
  }

  /** Whether changes of this relation are followed; records it as used by the current transaction. */
  private use(relationId: number): boolean {
    const tx = this.current;
    if (!tx) throw outOfOrder('a change outside a transaction');
    const rel = this.relations.get(relationId);
    if (!rel) throw outOfOrder(`a change of relation ${relationId} before its description`);
    if (!rel.follow) return false;
    if (!tx.used.has(relationId)) {
      const m = rel.message;
      tx.used.set(relationId, {
        id: relationId,
        schema: m.schema,
        name: m.name,
        replicaIdentity: m.replicaIdentity,
        columns: m.columns,
      });
    }
    return true;
  }

  private add(change: PayloadChange, size: number): void {
    const tx = this.current as NonNullable<typeof this.current>;
    tx.changes.push(change);
    tx.bytes += size;
  }
}

function outOfOrder(what: string): Error {
  return new StowageError('pg-error', `logical replication stream out of order: ${what}`);
}
