import type { Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoSchema } from '../../src/engines/mongodb/schema.js';
import { backupToMemory, restoreFromMemory } from './support/engine.js';
import { ferretdbBinary, PrivateFerretDB } from './support/private-ferretdb.js';

// Backing up a whole server (no database in the URL) needs a server nobody
// else writes to, so these tests start a FerretDB of their own.

const bin = ferretdbBinary();

describe.skipIf(!bin)(
  `whole-server backup (${bin ? 'private FerretDB' : 'needs an installed FerretDB 1.24.2 binary'})`,
  () => {
    let server: PrivateFerretDB;
    beforeAll(async () => {
      server = await PrivateFerretDB.start();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('an empty server is a clear error', async () => {
      await expect(backupToMemory(server.url)).rejects.toMatchObject({
        code: 'mongo-empty-server',
        message: 'the MongoDB server has no databases to back up',
      });
    });

    it('takes every user database, leaves admin/local/config out, and restores them all', async () => {
      const client = new MongoClient(server.url);
      await client.connect();
      try {
        await client
          .db('shop')
          .collection('orders')
          .insertMany([{ _id: 1 }, { _id: 2 }] as Document[]);
        await client
          .db('crm')
          .collection('people')
          .insertOne({ _id: 'a' } as Document);
        await client
          .db('admin')
          .collection('settings')
          .insertOne({ _id: 'x' } as Document);
      } finally {
        await client.close();
      }
      const backup = await backupToMemory(server.url, {}, 3);
      const schema = backup.result.schema as MongoSchema;
      expect(schema.databases.map((d) => d.name).sort()).toEqual(['crm', 'shop']);
      expect(backup.result.database.split(',').sort()).toEqual(['crm', 'shop']);

      const restored = await restoreFromMemory(backup, server.url, { nsFrom: ['*.*'], nsTo: ['*_copy.*'] });
      expect(restored.items).toEqual({ 'shop.orders': 2, 'crm.people': 1 });
      const check = new MongoClient(server.url);
      await check.connect();
      try {
        expect(await check.db('shop_copy').collection('orders').countDocuments()).toBe(2);
        expect(await check.db('crm_copy').collection('people').countDocuments()).toBe(1);
      } finally {
        await check.close();
      }
    });
  },
);
