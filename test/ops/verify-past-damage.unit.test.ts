// verify reads every frame front to back; a damaged frame stops that walk. Past it, the footer's
// index still places every data frame, so each stream the walk did not finish is read through it:
// the report names the streams that are really damaged, not every stream written after the damage.
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrameHeader, FrameType, frameTotalSize, HEADER_SIZE } from '../../src/archive/format.js';
import { verify } from '../../src/ops/verify.js';
import { LocalRepository } from '../../src/store/local/local-repository.js';
import { addTestArchive } from './make-archive.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-verify-damage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const STREAMS = ['public.a', 'public.b', 'public.c'];

/** An uncompressed archive of three streams of several frames each. */
async function threeStreams(name: string): Promise<string> {
  const path = join(dir, name);
  const file = await addTestArchive(new LocalRepository(path), {
    compression: 'none',
    frameSize: 1024,
    streams: STREAMS.map((s, i) => ({ name: s, data: Buffer.alloc(4000, i + 1), items: 4 })),
  });
  return join(path, file);
}

/** Offset of the first frame of `type` for stream `streamId`, walking the file's frames. */
async function frameOffset(file: string, type: FrameType, streamId: number): Promise<number> {
  const bytes = await readFile(file);
  let offset = HEADER_SIZE;
  while (offset < bytes.length) {
    const fh = decodeFrameHeader(bytes.subarray(offset, offset + 32));
    if (!fh) break;
    if (fh.type === type && fh.streamId === streamId) return offset;
    offset += frameTotalSize(fh.storedLength);
  }
  throw new Error(`no frame of type ${type} for stream ${streamId}`);
}

/** Flips one byte of the payload of the frame at `offset`. */
async function damagePayload(file: string, offset: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset + 33);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, offset + 33);
  } finally {
    await handle.close();
  }
}

describe('verify past a damaged frame', () => {
  it('a damaged stream-open frame fails the archive but every stream reads whole through the index', async () => {
    const file = await threeStreams('open-frame');
    const damaged = await frameOffset(file, FrameType.StreamOpen, 1);
    await damagePayload(file, damaged);
    const result = await verify({ archive: file, record: false });
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(new RegExp(`^scan stopped at offset ${damaged}: `));
    expect(result.problems[0]).toMatch(/every stream's data was read whole through the footer's index/);
    expect(result.streams.map((s) => [s.name, s.ok])).toEqual(STREAMS.map((s) => [s, true]));
  });

  it('a damaged data frame names its own stream only; the streams after it read whole', async () => {
    const file = await threeStreams('data-frame');
    const damaged = await frameOffset(file, FrameType.Data, 1);
    await damagePayload(file, damaged);
    const result = await verify({ archive: file, record: false });
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toMatch(new RegExp(`^scan stopped at offset ${damaged}: `));
    expect(result.problems[1]).toMatch(
      new RegExp(`^stream public\\.b: corrupt frame at offset ${damaged}: `),
    );
    expect(result.streams.map((s) => [s.name, s.ok])).toEqual([
      ['public.a', true],
      ['public.b', false],
      ['public.c', true],
    ]);
  });
});
