import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSink } from '../archive/byte-sink.js';
import type { ByteSource } from '../archive/byte-source.js';
import { LocalFileSink } from './local-file-sink.js';
import { LocalFileSource } from './local-file-source.js';
import { StdoutSink } from './stdout-sink.js';

/**
 * Turns a `--to` argument into a sink: `-` is stdout, a path ending in `.stow`
 * is that file, anything else is a folder that gets a generated name.
 */
export async function openDestination(to: string, generatedName: () => string): Promise<ByteSink> {
  if (to === '-') return new StdoutSink();
  if (to.endsWith('.stow') && !(await isDirectory(to))) return LocalFileSink.create(to);
  return LocalFileSink.create(join(to, generatedName()));
}

/** Opens an archive for random-access reading. */
export async function openArchiveSource(path: string): Promise<ByteSource> {
  return LocalFileSource.open(path);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
