// Builds real .stow archives for operations tests without a database engine:
// ArchiveWriter fed with bytes that look like what an engine writes.
import { createHash, randomBytes } from 'node:crypto';
import type { ByteSink } from '../../src/archive/byte-sink.js';
import type { KeySource } from '../../src/archive/keys.js';
import { ArchiveWriter } from '../../src/archive/writer.js';
import { type BackupKind, manifestKindFields } from '../../src/catalog/backup-kind.js';
import { archiveName } from '../../src/catalog/naming.js';
import type { Repository } from '../../src/store/repository.js';

export interface TestStream {
  name: string;
  data: Buffer;
  items: number;
}

export interface TestArchiveOptions {
  database?: string;
  /** Any name: the archive layer takes any; only ops asks the engine registry. */
  engine?: string;
  startedAt?: Date;
  durationMs?: number;
  kind?: BackupKind;
  note?: string;
  streams?: TestStream[];
  encryption?: KeySource;
  compression?: 'none' | number;
  frameSize?: number;
  /** Footer frames this small split a big manifest over several (format 3). */
  footerFrameSize?: number;
  /** The manifest's schema section (default empty). */
  schema?: Record<string, unknown>;
}

/** `count` BSON documents `{ i: <int32> }`, concatenated as the MongoDB engine writes them. */
export function bsonDocuments(count: number, offset = 0): Buffer {
  const docs: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const doc = Buffer.alloc(12);
    doc.writeInt32LE(12, 0);
    doc.writeUInt8(0x10, 4); // int32
    doc.write('i\0', 5, 'latin1');
    doc.writeInt32LE(i + offset, 7);
    doc.writeUInt8(0, 11);
    docs.push(doc);
  }
  return Buffer.concat(docs);
}

/** Writes an archive into `sink` and returns what it holds. */
export async function writeTestArchive(sink: ByteSink, options: TestArchiveOptions = {}) {
  const streams = options.streams ?? [{ name: 'public.items', data: randomBytes(4096), items: 10 }];
  const writer = await ArchiveWriter.create(sink, {
    threads: 0,
    compression: options.compression ?? 1,
    encryption: options.encryption,
    frameSize: options.frameSize,
    footerFrameSize: options.footerFrameSize,
    scrypt: { logN: 10, r: 8, p: 1 },
  });
  for (const s of streams) {
    const stream = writer.open(s.name);
    stream.itemCount = s.items;
    await new Promise<void>((resolve, reject) =>
      stream.end(s.data, (err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
  const startedAt = options.startedAt ?? new Date();
  const result = await writer.finish({
    tool: { name: 'stowage', version: 'test' },
    engine: options.engine ?? 'postgres',
    serverVersion: '15.0',
    database: options.database ?? 'shop',
    source: `postgres://app@localhost/${options.database ?? 'shop'}`,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + (options.durationMs ?? 1500)).toISOString(),
    ...manifestKindFields(options.kind ?? 'scheduled'),
    ...(options.note ? { note: options.note } : {}),
    pointInTime: true,
    options: {},
    warnings: [],
    schema: options.schema ?? {},
  });
  return {
    ...result,
    sha256: streams.map((s) => createHash('sha256').update(s.data).digest('hex')),
  };
}

/** Writes an archive into a repository under its generated name; returns the name. */
export async function addTestArchive(
  repository: Repository,
  options: TestArchiveOptions = {},
): Promise<string> {
  const at = options.startedAt ?? new Date();
  const name = archiveName(options.database ?? 'shop', at, options.kind ?? 'scheduled');
  await writeTestArchive(await repository.createArchive(name), { ...options, startedAt: at });
  return name;
}
