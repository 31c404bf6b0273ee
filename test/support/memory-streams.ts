import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import type {
  EngineStreamWriter,
  StreamReaderSet,
  StreamSummary,
  StreamWriterSet,
} from '../../src/engines/engine.js';

/**
 * Engine streams kept in memory, for engine tests that want to look at what an
 * engine wrote without going through the archive. Not a stand-in for a
 * database: engines still talk to real servers.
 */
export class MemoryStreams implements StreamWriterSet {
  readonly data = new Map<string, { chunks: Buffer[]; items: number; sha256: string }>();

  open(name: string): EngineStreamWriter {
    if (this.data.has(name)) throw new Error(`stream ${name} opened twice`);
    const entry = { chunks: [] as Buffer[], items: 0, sha256: '' };
    this.data.set(name, entry);
    const hash = createHash('sha256');
    const writer = new Writable({
      write(chunk: Buffer, _enc, cb) {
        entry.chunks.push(Buffer.from(chunk));
        hash.update(chunk);
        cb();
      },
      final(cb) {
        entry.items = writer.itemCount;
        entry.sha256 = hash.digest('hex');
        cb();
      },
    }) as EngineStreamWriter;
    writer.itemCount = 0;
    return writer;
  }

  list(): StreamSummary[] {
    return [...this.data].map(([name, e]) => ({
      name,
      items: e.items,
      rawBytes: e.chunks.reduce((n, c) => n + c.length, 0),
    }));
  }

  private openForRead(name: string): Readable {
    const entry = this.data.get(name);
    if (!entry) throw new Error(`no stream ${name}`);
    return Readable.from(entry.chunks);
  }

  /** A reader view, since `open` here is the writer side. */
  reader(): StreamReaderSet {
    return { list: () => this.list(), open: (name) => this.openForRead(name) };
  }
}
