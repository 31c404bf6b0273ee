import { type FileHandle, open } from 'node:fs/promises';
import type { ByteSource } from '../../archive/byte-source.js';
import { fsError } from './local-file-sink.js';

/** Random-access reads of a local archive file. */
export class LocalFileSource implements ByteSource {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly location: string,
  ) {}

  static async open(path: string): Promise<LocalFileSource> {
    try {
      const handle = await open(path, 'r');
      const stat = await handle.stat();
      if (stat.isDirectory()) {
        await handle.close();
        throw Object.assign(new Error(`is a folder`), { code: 'EISDIR' });
      }
      return new LocalFileSource(handle, stat.size, path);
    } catch (err) {
      throw fsError(err, path);
    }
  }

  read(offset: number, length: number): Promise<Buffer> {
    return readAt(this.handle, offset, length);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Reads `length` bytes at `offset`, or fewer at the end of the file (a short read is the caller's truncation). */
export async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}
