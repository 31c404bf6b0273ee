import type { Readable, Writable } from 'node:stream';
import type { z } from 'zod';
import { StowageError } from '../../errors.js';
import type { PgSession } from './connect.js';
import { quoteIdent } from './ident.js';
import { type AclEntry, aclStatements, commentStatement } from './introspect/acl.js';
import { aclJson } from './introspect/sql.js';
import { mapRole, mapStatementRole, type RoleMap } from './role-map.js';

/**
 * Large objects (`lo_*`, pg_largeobject): database-wide, not in any schema,
 * backed up like pg_dump does by default: with a whole-database backup, left
 * out when the backup or restore selects schemas or tables.
 *
 * They travel in one archive stream, {@link LARGE_OBJECTS_STREAM}, read with
 * `lo_get()` inside the backup's snapshot (a large object opened for reading
 * shows the snapshot's contents), a few at a time for small objects and 1 MiB
 * at a time for big ones, so memory stays flat whatever their sizes. Stream
 * layout, big-endian:
 *
 *     object := oid:u32  ownerLength:u16  owner:utf8  chunk*  0:u32
 *     chunk  := length:u32 (> 0)  bytes[length]
 *
 * Comments and privileges, rare, go in the schema section (`extras`).
 * Restore creates each object with its original OID (`lo_from_bytea`, small
 * ones many per round trip), appends further chunks with `lo_put`, and sets
 * owners and privileges unless `--no-owner` / `--no-acl`, like everything else.
 */

export const LARGE_OBJECTS_STREAM = '$large-objects';

/** The schema section's `largeObjects` (model.ts builds it into its own schemas, with zod or without). */
export const largeObjectsSchema = (z: typeof import('zod').z) =>
  z.object({
    stream: z.string(),
    count: z.number(),
    /** Statements for the few objects with a comment or privileges. */
    extras: z.array(z.object({ oid: z.number(), comment: z.array(z.string()), acl: z.array(z.string()) })),
    /** Every owner of a large object, so restore can check that they exist before it starts. */
    owners: z.array(z.string()).optional(),
  });
export type LargeObjects = z.infer<ReturnType<typeof largeObjectsSchema>>;

/** Bytes of each object read in the batched first query; the rest comes in CHUNK pieces. */
const HEAD_BYTES = 64 * 1024;
const HEAD_BATCH = 64;
const CHUNK_BYTES = 1024 * 1024;
/** Restore: objects are created in batches of about this many bytes. */
const LOAD_BATCH_BYTES = 4 * 1024 * 1024;
const LOAD_BATCH_OBJECTS = 1000;

/** Counts the large objects and reads the comments and privileges of those that have them. */
export async function readLargeObjectCatalog(session: PgSession): Promise<LargeObjects | undefined> {
  const { rows: counted } = await session.query<{ n: string }>(
    'SELECT pg_catalog.count(*) AS n FROM pg_catalog.pg_largeobject_metadata',
    [],
    'counting large objects',
  );
  const count = Number(counted[0]?.n ?? 0);
  if (count === 0) return undefined;
  const { rows } = await session.query<{
    oid: number;
    owner: string;
    comment: string | null;
    acl: AclEntry[] | null;
  }>(
    `SELECT m.oid, pg_catalog.pg_get_userbyid(m.lomowner) AS owner,
       pg_catalog.obj_description(m.oid, 'pg_largeobject') AS comment, ${aclJson('m.lomacl')} AS acl
     FROM pg_catalog.pg_largeobject_metadata m
     WHERE m.lomacl IS NOT NULL OR pg_catalog.obj_description(m.oid, 'pg_largeobject') IS NOT NULL
     ORDER BY m.oid`,
    [],
    'reading large object comments and privileges',
  );
  const { rows: owners } = await session.query<{ owner: string }>(
    `SELECT DISTINCT pg_catalog.pg_get_userbyid(m.lomowner) AS owner FROM pg_catalog.pg_largeobject_metadata m ORDER BY 1`,
    [],
    'reading large object owners',
  );
  return {
    stream: LARGE_OBJECTS_STREAM,
    count,
    owners: owners.map((r) => r.owner),
    extras: rows.map((r) => ({
      oid: Number(r.oid),
      comment: commentStatement(`LARGE OBJECT ${r.oid}`, r.comment),
      acl: aclStatements('LARGE OBJECT', String(r.oid), r.owner, r.acl),
    })),
  };
}

/** Writes every large object into `sink` (see the stream layout above); returns how many, and the bytes written. */
export async function dumpLargeObjects(
  session: PgSession,
  sink: Writable,
): Promise<{ objects: number; bytes: number }> {
  let after = 0;
  let count = 0;
  let bytes = 0;
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      bytes += chunk.length;
      sink.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
  for (;;) {
    const { rows } = await session.query<{ oid: number; owner: string; head: Buffer }>(
      `SELECT m.oid, pg_catalog.pg_get_userbyid(m.lomowner) AS owner, pg_catalog.lo_get(m.oid, 0, $2) AS head
       FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid > $1::pg_catalog.oid ORDER BY m.oid LIMIT $3`,
      [after, HEAD_BYTES, HEAD_BATCH],
      'reading large objects',
    );
    if (!rows.length) break;
    for (const r of rows) {
      const oid = Number(r.oid);
      const owner = Buffer.from(r.owner ?? '', 'utf8');
      const start = Buffer.allocUnsafe(6);
      start.writeUInt32BE(oid, 0);
      start.writeUInt16BE(owner.length, 4);
      await write(Buffer.concat([start, owner]));
      let piece = r.head;
      let offset = 0;
      let full = HEAD_BYTES;
      for (;;) {
        if (piece.length > 0) await write(Buffer.concat([u32(piece.length), piece]));
        offset += piece.length;
        if (piece.length < full) break;
        full = CHUNK_BYTES;
        const { rows: next } = await session.query<{ data: Buffer }>(
          'SELECT pg_catalog.lo_get($1::pg_catalog.oid, $2, $3) AS data',
          [oid, offset, CHUNK_BYTES],
          `reading large object ${oid}`,
        );
        piece = next[0]?.data ?? Buffer.alloc(0);
      }
      await write(u32(0));
      count++;
      after = oid;
    }
  }
  return { objects: count, bytes };
}

export interface LoadLargeObjectsOptions {
  /** Remove objects with the same OIDs first (`--clean`). */
  clean: boolean;
  /** Set owners. */
  owner: boolean;
  /** Set privileges (from `extras`). */
  acl: boolean;
  /** Archived role → target role (`--map-role`). */
  mapRoles: RoleMap;
  extras: LargeObjects['extras'];
  onObject?: () => void;
}

/** Recreates the large objects in `source`; returns how many. */
export async function loadLargeObjects(
  session: PgSession,
  source: Readable,
  options: LoadLargeObjectsOptions,
): Promise<number> {
  const loader = new Loader(session, options);
  const parser = new LargeObjectParser(loader);
  for await (const chunk of source) await parser.push(chunk as Buffer);
  parser.end();
  await loader.flush();
  const extras = options.extras.flatMap((e) => [
    ...e.comment,
    ...(options.acl ? e.acl.map((s) => mapStatementRole(s, options.mapRoles)) : []),
  ]);
  for (let i = 0; i < extras.length; i += 500) {
    await session.query(
      extras.slice(i, i + 500).join(';\n'),
      [],
      'setting large object comments and privileges',
    );
  }
  return loader.count;
}

interface ObjectSink {
  begin(oid: number, owner: string): Promise<void>;
  data(bytes: Buffer): Promise<void>;
  end(): Promise<void>;
}

/** Splits the stream into objects and their chunks, wherever the reads cut it. */
class LargeObjectParser {
  private pending = Buffer.alloc(0);
  /** Bytes of the current chunk still to come; -1 between objects. */
  private remaining = -1;
  private inObject = false;

  constructor(private readonly out: ObjectSink) {}

  async push(input: Buffer): Promise<void> {
    let buf = this.pending.length ? Buffer.concat([this.pending, input]) : input;
    for (;;) {
      if (this.remaining > 0) {
        if (!buf.length) break;
        const n = Math.min(this.remaining, buf.length);
        await this.out.data(buf.subarray(0, n));
        this.remaining -= n;
        buf = buf.subarray(n);
        continue;
      }
      if (!this.inObject) {
        if (buf.length < 6) break;
        const ownerLength = buf.readUInt16BE(4);
        if (buf.length < 6 + ownerLength) break;
        await this.out.begin(buf.readUInt32BE(0), buf.subarray(6, 6 + ownerLength).toString('utf8'));
        this.inObject = true;
        buf = buf.subarray(6 + ownerLength);
        continue;
      }
      if (buf.length < 4) break;
      const length = buf.readUInt32BE(0);
      buf = buf.subarray(4);
      if (length === 0) {
        this.inObject = false;
        await this.out.end();
      } else this.remaining = length;
    }
    // Keep only the unread tail, copied: the caller's buffer may be reused.
    this.pending = Buffer.from(buf);
  }

  end(): void {
    if (this.inObject || this.remaining > 0 || this.pending.length) {
      throw new StowageError(
        'pg-bad-large-objects',
        'the archived large objects end in the middle of an object',
        'the archive is damaged; restore from another backup',
      );
    }
  }
}

/** Creates objects in batches: whole small objects many per query, big ones chunk by chunk. */
class Loader implements ObjectSink {
  count = 0;
  private batch: { oid: number; data: Buffer[] }[] = [];
  private batchBytes = 0;
  private owners: { oid: number; owner: string }[] = [];
  /** The object being read: its first bytes wait in the batch until it is complete or big. */
  private current: { oid: number; parts: Buffer[]; bytes: number; written: number } | undefined;

  constructor(
    private readonly session: PgSession,
    private readonly options: LoadLargeObjectsOptions,
  ) {}

  async begin(oid: number, owner: string): Promise<void> {
    this.current = { oid, parts: [], bytes: 0, written: -1 };
    if (this.options.owner && owner) this.owners.push({ oid, owner: mapRole(owner, this.options.mapRoles) });
  }

  async data(bytes: Buffer): Promise<void> {
    const c = this.current as NonNullable<typeof this.current>;
    c.parts.push(Buffer.from(bytes));
    c.bytes += bytes.length;
    if (c.bytes >= CHUNK_BYTES) await this.writeCurrent(c);
  }

  async end(): Promise<void> {
    const c = this.current as NonNullable<typeof this.current>;
    this.current = undefined;
    if (c.written < 0) {
      // Small (or the rest of nothing): created with the next batch.
      this.batch.push({ oid: c.oid, data: c.parts });
      this.batchBytes += c.bytes;
      if (this.batchBytes >= LOAD_BATCH_BYTES || this.batch.length >= LOAD_BATCH_OBJECTS) await this.flush();
      return;
    }
    if (c.bytes > 0) await this.writeCurrent(c);
    this.created(1);
  }

  private created(n: number): void {
    this.count += n;
    for (let i = 0; i < n; i++) this.options.onObject?.();
  }

  /** A big object: created alone, then appended to as its bytes arrive. */
  private async writeCurrent(c: NonNullable<typeof this.current>): Promise<void> {
    const data = Buffer.concat(c.parts);
    if (c.written < 0) {
      await this.create([{ oid: c.oid, data: [data] }]);
      c.written = data.length;
    } else {
      await this.session.query(
        'SELECT pg_catalog.lo_put($1::pg_catalog.oid, $2, $3)',
        [c.oid, c.written, data],
        `writing large object ${c.oid}`,
      );
      c.written += data.length;
    }
    c.parts = [];
    c.bytes = 0;
  }

  async flush(): Promise<void> {
    if (this.batch.length) {
      await this.create(this.batch);
      this.created(this.batch.length);
    }
    this.batch = [];
    this.batchBytes = 0;
    if (this.owners.length) {
      const statements = this.owners.map(
        (o) => `ALTER LARGE OBJECT ${o.oid} OWNER TO ${quoteIdent(o.owner)}`,
      );
      this.owners = [];
      for (let i = 0; i < statements.length; i += 500) {
        await this.session.query(statements.slice(i, i + 500).join(';\n'), [], 'setting large object owners');
      }
    }
  }

  private async create(objects: { oid: number; data: Buffer[] }[]): Promise<void> {
    const oids = objects.map((o) => o.oid);
    if (this.options.clean) {
      await this.session.query(
        `SELECT pg_catalog.lo_unlink(x.o) FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS x(o)
         WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = x.o)`,
        [oids],
        'removing large objects (--clean)',
      );
    }
    await this.session.query(
      `SELECT pg_catalog.count(pg_catalog.lo_from_bytea(x.o, x.d))
       FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.bytea[])) AS x(o, d)`,
      [oids, objects.map((o) => Buffer.concat(o.data))],
      'creating large objects',
    );
  }
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}
