import {
  MongoClient,
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isConnectionLoss } from '../../src/engines/mongodb/connection-loss.js';
import { toStowageError } from '../../src/engines/mongodb/mongo-errors.js';
import { freePort } from '../support/local-servers.js';

// The shapes in which a server that dies mid-run reaches the engine, as
// recorded by killing a FerretDB during restores (test/mongodb/server-restart.test.ts
// does that for real); plus errors that must NOT read as a lost connection.

const nodeError = (message: string, code: string) => Object.assign(new Error(message), { code });
const labelled = (error: MongoError, label: string) => {
  error.addErrorLabel(label);
  return error;
};

const lost: [string, unknown][] = [
  ['an insert in flight: connection closed', new MongoNetworkError('connection 5 to 127.0.0.1:27017 closed')],
  [
    'a write waiting for drain: EPIPE, passed on unwrapped by the driver',
    nodeError('This socket has been ended by the other party', 'EPIPE'),
  ],
  ['ECONNRESET', nodeError('read ECONNRESET', 'ECONNRESET')],
  ['the next connection attempt', nodeError('connect ECONNREFUSED 127.0.0.1:27017', 'ECONNREFUSED')],
  ['a closed topology', new MongoTopologyClosedError()],
  ['a closed server', new MongoServerClosedError()],
  ['a driver error labelled ResetPool', labelled(new MongoError('pool reset'), MongoErrorLabel.ResetPool)],
  [
    'a server error labelled RetryableWriteError',
    labelled(
      new MongoServerError({ code: 91, errmsg: 'shutdown in progress' }),
      MongoErrorLabel.RetryableWriteError,
    ),
  ],
  [
    'a server shutting down (InterruptedAtShutdown)',
    new MongoServerError({ code: 11600, errmsg: 'interrupted at shutdown' }),
  ],
  ['a step-down (NotWritablePrimary)', new MongoServerError({ code: 10107, errmsg: 'not primary' })],
  [
    "a Go server's request cut short by its shutdown",
    new MongoServerError({ code: 1, errmsg: '[msg_insert.go:87] context canceled' }),
  ],
  [
    'a lost connection wrapped as a cause',
    new Error('insert failed', { cause: nodeError('write EPIPE', 'EPIPE') }),
  ],
  [
    'every address of the host refused (AggregateError)',
    new AggregateError([
      nodeError('connect ECONNREFUSED ::1:27017', 'ECONNREFUSED'),
      nodeError('connect ECONNREFUSED 127.0.0.1:27017', 'ECONNREFUSED'),
    ]),
  ],
];

const notLost: [string, unknown][] = [
  ['a duplicate key', new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error' })],
  ['a validation failure', new MongoServerError({ code: 121, errmsg: 'Document failed validation' })],
  ['an unknown index option', new MongoServerError({ code: 197, errmsg: 'Index option "ns" is unknown' })],
  ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'length')")],
  ['a file error', nodeError('ENOENT: no such file or directory', 'ENOENT')],
];

describe('connection loss', () => {
  it.each(lost)('is recognised: %s', (_, error) => {
    expect(isConnectionLoss(error)).toBe(true);
    const se = toStowageError(error, { url: 'mongodb://127.0.0.1:27017/', during: 'restore of shop.orders' });
    expect(se.code).toBe('mongo-connection-lost');
    expect(se.message).toMatch(/MongoDB at 127\.0\.0\.1:27017 .*during restore of shop\.orders/);
    expect(se.message).not.toContain('\n');
  });

  it.each(notLost)('is not claimed for %s', (_, error) => {
    expect(isConnectionLoss(error)).toBe(false);
  });

  it('a server that cannot be selected is unreachable when connecting, lost once the run has started', async () => {
    const url = `mongodb://127.0.0.1:${await freePort()}/`;
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 200 });
    const error = await client.connect().catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(MongoServerSelectionError);
    expect(toStowageError(error, { url, during: 'connecting' }).code).toBe('mongo-unreachable');
    expect(toStowageError(error, { url, during: 'restore of shop.orders' }).code).toBe(
      'mongo-connection-lost',
    );
  });
});
