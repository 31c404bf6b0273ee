import { Readable, Writable } from 'node:stream';
import type { EngineStreamWriter, StreamReaderSet, StreamWriterSet } from '../../../src/engines/engine.js';
import { MemoryStreams } from '../../support/memory-streams.js';

/**
 * Engine streams that let a test act at a precise point of a backup or
 * restore, without sleeping: the first write to (or read past the first
 * chunk of) a chosen stream waits for the test's `hook` (drop a collection,
 * kill the server) to finish before the engine can go on.
 */
export class GatedWriters implements StreamWriterSet {
  readonly memory = new MemoryStreams();
  private fired = false;

  constructor(
    private readonly gated: string,
    private readonly hook: () => Promise<void>,
  ) {}

  open(name: string): EngineStreamWriter {
    const inner = this.memory.open(name);
    if (name !== this.gated) return inner;
    const writer = new Writable({
      highWaterMark: 1,
      write: (chunk: Buffer, _enc, cb) => {
        const go = () => inner.write(chunk, cb);
        if (this.fired) return go();
        this.fired = true;
        this.hook().then(go, cb);
      },
      final: (cb) => {
        inner.itemCount = writer.itemCount;
        inner.end(cb);
      },
    }) as EngineStreamWriter;
    writer.itemCount = 0;
    return writer;
  }
}

/** A reader set over memory streams whose `gated` stream pauses after its first chunk until `hook` is done. */
export function gatedReaders(
  streams: MemoryStreams,
  gated: string,
  hook: () => Promise<void>,
): StreamReaderSet {
  const base = streams.reader();
  return {
    list: () => base.list(),
    open(name) {
      const source = base.open(name);
      if (name !== gated) return source;
      return Readable.from(
        (async function* () {
          let first = true;
          for await (const chunk of source) {
            yield chunk;
            if (first) {
              first = false;
              await hook();
            }
          }
        })(),
      );
    },
  };
}
