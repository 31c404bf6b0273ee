import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveReader } from '../../src/archive/reader.js';
import { ArchiveWriter } from '../../src/archive/writer.js';
import { listArchives } from '../../src/catalog/list.js';
import { StowageError } from '../../src/errors.js';
import { inspect } from '../../src/ops/inspect.js';
import { verify } from '../../src/ops/verify.js';
import { createS3Client } from '../../src/store/s3/s3-client.js';
import { parseS3Url, splitS3ArchiveUrl } from '../../src/store/s3/s3-location.js';
import { S3Repository } from '../../src/store/s3/s3-repository.js';
import { addTestArchive, writeTestArchive } from '../ops/make-archive.js';
import { createTestBucket, s3Options } from '../support/s3.js';

let bucket: string;
beforeAll(async () => {
  bucket = await createTestBucket('stowage-repo');
});

function repo(prefix = 'backups/prod', extra = {}) {
  return new S3Repository(`s3://${bucket}/${prefix}`, { ...s3Options(), ...extra });
}

async function readAll(reader: ArchiveReader, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of reader.open(name)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function pendingUploads(): Promise<number> {
  const client = createS3Client(s3Options());
  try {
    const res = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return res.Uploads?.length ?? 0;
  } finally {
    client.destroy();
  }
}

describe('S3 addresses', () => {
  it('parses buckets, prefixes and archive addresses', () => {
    expect(parseS3Url('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Url('s3://bucket/a/b/')).toEqual({ bucket: 'bucket', prefix: 'a/b' });
    expect(splitS3ArchiveUrl('s3://bucket/a/b/x.stow')).toEqual({
      repository: { bucket: 'bucket', prefix: 'a/b' },
      name: 'x.stow',
    });
    expect(() => parseS3Url('s3://')).toThrow(/not a valid S3 address/);
    expect(() => parseS3Url('s3://Bad_Bucket/x')).toThrow(/not a valid S3 address/);
  });
});

describe('S3 repository on a real S3 server', () => {
  const repository = () => repo();
  afterAll(async () => {});

  it('streams a multipart archive up and reads it back with ranged GETs', async () => {
    const r = repository();
    // Incompressible and larger than two 5 MiB parts, so the upload is a real multipart upload.
    const data = randomBytes(13 * 1024 * 1024);
    const sink = await r.createArchive('big-20261121-020000.stow');
    const written = await writeTestArchive(sink, {
      compression: 'none',
      streams: [{ name: 'public.big', data, items: 7 }],
    });
    expect(written.location).toBe(`s3://${bucket}/backups/prod/big-20261121-020000.stow`);
    const files = await r.listFiles();
    expect(files.map((f) => f.name)).toContain('big-20261121-020000.stow');
    expect(files.find((f) => f.name === 'big-20261121-020000.stow')?.size).toBe(written.bytes);
    const reader = await ArchiveReader.open(await r.openArchive('big-20261121-020000.stow'), { threads: 0 });
    expect(reader.manifest.streams[0]?.items).toBe(7);
    const back = await readAll(reader, 'public.big');
    await reader.close();
    expect(createHash('sha256').update(back).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
    await r.close();
  });

  it('reads a footer split over many frames (format 3) with ranged GETs: list, inspect, verify, streams', async () => {
    // ~600 KiB of schema JSON in 64 KiB footer frames: ten footer frames, read back from the tail.
    const schema = {
      objects: Array.from({ length: 5000 }, (_, i) => ({
        id: `table:public.t${i}`,
        sql: [`CREATE TABLE public."tåble ${i} ✓" (id integer, note text, created timestamptz)`],
      })),
    };
    const data = randomBytes(200_000);
    const r = repo('split-footer');
    const name = await addTestArchive(r, {
      startedAt: new Date('2026-12-02T03:00:00Z'),
      compression: 1,
      footerFrameSize: 64 * 1024,
      schema,
      streams: [{ name: 'public.t1', data, items: 3 }],
    });
    const [listed] = await listArchives(r);
    expect(listed).toMatchObject({ name, health: 'restorable', streams: 1, items: 3 });
    const address = `s3://${bucket}/split-footer/${name}`;
    const { manifest } = await inspect(address, { stores: { s3: s3Options() } });
    expect(manifest.formatVersion).toBe(3);
    expect(manifest.schema).toEqual(schema);
    const checked = await verify({ archive: address, stores: { s3: s3Options() }, record: false });
    expect(checked.problems).toEqual([]);
    const reader = await ArchiveReader.open(await r.openArchive(name), { threads: 0 });
    expect(await readAll(reader, 'public.t1')).toEqual(data);
    await reader.close();
    await r.close();
  });

  it('uses the configured part size, storage class and server-side encryption', async () => {
    const r = repo('sse', {
      partSizeMiB: 5,
      serverSideEncryption: 'AES256',
      storageClass: 'REDUCED_REDUNDANCY',
    });
    const name = await addTestArchive(r, {
      compression: 'none',
      streams: [{ name: 't', data: randomBytes(6 * 1024 * 1024), items: 1 }],
    });
    const client = createS3Client(s3Options());
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `sse/${name}` }));
    client.destroy();
    expect(head.ServerSideEncryption).toBe('AES256');
    expect(head.StorageClass).toBe('REDUCED_REDUNDANCY');
    await r.close();
  });

  it('leaves nothing behind when a multipart upload is aborted', async () => {
    const r = repo('aborted', { partSizeMiB: 5 });
    const sink = await r.createArchive('shop-20261121-030000.stow');
    const writer = await ArchiveWriter.create(sink, { threads: 0, compression: 'none' });
    const stream = writer.open('public.orders');
    // 12 MiB: at least two parts are uploaded before the abort.
    for (let i = 0; i < 12; i++) {
      await new Promise<void>((resolve, reject) =>
        stream.write(randomBytes(1024 * 1024), (err) => (err ? reject(err) : resolve())),
      );
    }
    await writer.abort();
    expect(await r.listFiles()).toEqual([]);
    expect(await pendingUploads()).toBe(0);
    await r.close();
  });

  it('refuses to replace an existing archive', async () => {
    const r = repo('exists');
    const name = await addTestArchive(r, { startedAt: new Date('2026-11-20T02:00:00Z') });
    await expect(r.createArchive(name)).rejects.toThrow(/archive already exists/);
    await r.close();
  });

  it('two uploads of one name: the second is refused, and an archive that lands first is never replaced', async () => {
    for (const partSizeMiB of [5, 16]) {
      // 6 MiB with 5 MiB parts is a multipart upload (CompleteMultipartUpload); with 16 MiB parts, one PUT.
      const r = repo(`race-${partSizeMiB}`, { partSizeMiB });
      const first = randomBytes(6 * 1024 * 1024);
      const second = randomBytes(6 * 1024 * 1024);
      const a = await r.createArchive('shop.stow');
      // The name is claimed while the first upload runs.
      await expect(r.createArchive('shop.stow')).rejects.toMatchObject({ code: 'exists' });
      // A writer that ignores the claim (another tool, a claim removed by hand) finishes first.
      const client = createS3Client(s3Options());
      const { S3Sink } = await import('../../src/store/s3/s3-sink.js');
      const foreign = new S3Sink(client, bucket, `race-${partSizeMiB}/shop.stow`, 'foreign', { partSizeMiB });
      await foreign.write(second);
      await a.write(first);
      await foreign.commit();
      await expect(a.commit()).rejects.toMatchObject({ code: 'exists' });
      client.destroy();
      const source = await r.openArchive('shop.stow');
      const head = Buffer.from(await source.read(0, 64));
      await source.close();
      expect(head.equals(second.subarray(0, 64))).toBe(true);
      expect(await pendingUploads()).toBe(0);
      // The claim is released: only the archive is left.
      expect((await r.listFiles()).map((f) => f.name)).toEqual(['shop.stow']);
      await r.close();
    }
  });

  it('claims generated names: concurrent backups in one second take -2, -3 and all survive', async () => {
    const { resolveDestination } = await import('../../src/store/destination.js');
    const url = `s3://${bucket}/claims`;
    const generated = (n: number) =>
      n === 1 ? 'shop-20261122-011409.stow' : `shop-20261122-011409-${n}.stow`;
    const destinations = await Promise.all(
      [0, 1, 2, 3, 4].map(() => resolveDestination(url, generated, { stores: { s3: s3Options() } })),
    );
    const sinks = await Promise.all(destinations.map((d) => d.open()));
    const names = destinations.map((d) => d.name);
    expect(new Set(names).size).toBe(5);
    await Promise.all(sinks.map((s, i) => s.write(Buffer.from(`run ${i}`))));
    await Promise.all(sinks.map((s) => s.commit()));
    const r = repo('claims');
    // Every claim is gone; every run's archive holds that run's bytes.
    expect((await r.listFiles()).map((f) => f.name).sort()).toEqual([...(names as string[])].sort());
    for (const [i, name] of names.entries()) {
      const source = await r.openArchive(name as string);
      expect(Buffer.from(await source.read(0, source.size)).toString()).toBe(`run ${i}`);
      await source.close();
    }
    await r.close();
    for (const d of destinations) await d.repository?.close();
  });

  it('keeps side files, lists side folders, and creates files only when absent', async () => {
    const r = repo('side');
    expect(await r.readText('x.stow.verify.json')).toBeUndefined();
    await r.writeText('x.stow.verify.json', '{"ok":true}');
    expect(await r.readText('x.stow.verify.json')).toBe('{"ok":true}');
    expect(await r.createText('.stowage/lock.json', 'one')).toBe(true);
    expect(await r.createText('.stowage/lock.json', 'two')).toBe(false);
    expect(await r.readText('.stowage/lock.json')).toBe('one');
    expect((await r.listFiles('.stowage')).map((f) => f.name)).toEqual(['lock.json']);
    // Side folders are not archives of the repository itself.
    expect((await r.listFiles()).map((f) => f.name)).toEqual(['x.stow.verify.json']);
    await r.remove('.stowage/lock.json');
    await r.remove('.stowage/lock.json');
    expect(await r.listFiles('.stowage')).toEqual([]);
    await r.checkWritable();
    await r.close();
  });

  it('reports wrong credentials, a missing bucket and an unreachable endpoint clearly', async () => {
    const wrong = repo('x', { secretAccessKey: 'not-the-secret' });
    const e1 = await wrong.listFiles().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(StowageError);
    expect((e1 as StowageError).code).toBe('s3-credentials');
    expect((e1 as StowageError).message).not.toContain('not-the-secret');
    await expect(wrong.checkWritable()).rejects.toMatchObject({ code: 's3-credentials' });
    await wrong.close();

    const missing = new S3Repository('s3://no-such-bucket-stowage/x', s3Options());
    await expect(missing.listFiles()).rejects.toMatchObject({ code: 's3-no-bucket' });
    await expect(missing.checkWritable()).rejects.toMatchObject({ code: 's3-no-bucket' });
    await missing.close();

    const down = new S3Repository(`s3://${bucket}/x`, { ...s3Options(), endpoint: 'http://127.0.0.1:9' });
    await expect(down.listFiles()).rejects.toMatchObject({ code: 's3-unreachable' });
    await down.close();
  });

  it('fails a backup upload with wrong credentials without leaving anything', async () => {
    const wrong = repo('wrong-upload', { secretAccessKey: 'nope', partSizeMiB: 5 });
    const good = repo('wrong-upload');
    const err = await wrong
      .createArchive('shop-20261121-040000.stow')
      .then((sink) =>
        writeTestArchive(sink, {
          compression: 'none',
          streams: [{ name: 't', data: randomBytes(11 * 1024 * 1024), items: 1 }],
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StowageError);
    expect((err as StowageError).message).toMatch(/^S3 (rejected|refused)/);
    expect((err as StowageError).hint).toMatch(/AWS_SECRET_ACCESS_KEY/);
    expect(await good.listFiles()).toEqual([]);
    await wrong.close();
    await good.close();
  });
});
