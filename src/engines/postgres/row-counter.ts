import { Transform, type TransformCallback } from 'node:stream';
import { BinaryCopyParser } from './copy-binary.js';
import { TextCopyParser } from './copy-text.js';

/**
 * A pass-through stage between `COPY TO STDOUT` and the archive stream that
 * counts rows as they go by (reading only tuple headers, see copy-binary.ts),
 * reports progress now and then, and checks at the end that the data is whole
 * (binary COPY ends with a trailer; a text row ends with a newline). It never
 * holds data back, so backpressure from the archive reaches the server.
 */
export class RowCounter extends Transform {
  private readonly binary: BinaryCopyParser | undefined;
  private readonly text: TextCopyParser | undefined;
  private lastReport = 0;

  constructor(
    format: 'binary' | 'text',
    private readonly label: string,
    private readonly onProgress: (rows: number, bytes: number) => void,
    private readonly onEnd: (rows: number, bytes: number) => void,
  ) {
    super();
    if (format === 'binary') this.binary = new BinaryCopyParser(undefined, label);
    else this.text = new TextCopyParser();
  }

  get rows(): number {
    return this.binary?.rows ?? this.text?.rows ?? 0;
  }

  get bytes(): number {
    return this.binary?.bytes ?? this.text?.bytes ?? 0;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.binary) this.binary.push(chunk);
      else this.text?.push(chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    const now = Date.now();
    if (now - this.lastReport >= 200) {
      this.lastReport = now;
      this.onProgress(this.rows, this.bytes);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.binary) this.binary.finish();
      else this.text?.finish(this.label);
      // Runs before the next stage sees the end, so the count is set when the archive closes the stream.
      this.onEnd(this.rows, this.bytes);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}
