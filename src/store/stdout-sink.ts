import type { ByteSink } from '../archive/byte-sink.js';

/**
 * Writes an archive to standard output, for pipes (`stowage backup … --to - | …`).
 * There is no rename to make a pipe atomic: a failed backup ends the output
 * without a trailer, which every reader rejects as truncated.
 */
export class StdoutSink implements ByteSink {
  readonly location = '<stdout>';

  async write(chunk: Uint8Array): Promise<void> {
    if (!process.stdout.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        process.stdout.once('drain', resolve);
        process.stdout.once('error', reject);
      });
    }
  }

  async commit(): Promise<void> {
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  }

  async abort(): Promise<void> {}
}
