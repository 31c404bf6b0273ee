import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { abortReason } from '../../abort-reason.js';

/**
 * Writing to an engine stream with backpressure, and ending it cleanly.
 */

/** Throws the signal's reason ({@link abortReason}) if it has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortReason(signal, what);
}

/**
 * Writes a chunk and, when the stream's buffer is full, waits for it to drain,
 * so a slow archive or store slows the database reads instead of filling memory.
 */
export async function writeWithBackpressure(
  stream: Writable,
  chunk: Uint8Array,
  signal?: AbortSignal,
): Promise<void> {
  if (stream.destroyed) throw stream.errored ?? new Error('stream was closed before the backup finished');
  if (!stream.write(chunk)) await waitForDrain(stream, signal);
}

/** Resolves when a full stream has drained; rejects if it fails or closes first, or on abort. */
async function waitForDrain(stream: Writable, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal, 'backup');
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // `once` rejects if the stream emits 'error' first, or if the signal aborts.
    await Promise.race([
      once(stream, 'drain', { signal: ac.signal }),
      once(stream, 'close', { signal: ac.signal }).then(() => {
        if (!stream.writableNeedDrain) return;
        throw stream.errored ?? new Error('stream was closed before the backup finished');
      }),
    ]);
  } catch (error) {
    throwIfAborted(signal, 'backup');
    throw error;
  } finally {
    ac.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Writes several chunks as one batch (corked, so the stream receives them in
 * one `writev`) and then waits for the stream to drain if it is full. The
 * chunks are handed over as they are — no concatenated copy — which keeps the
 * garbage per batch, and so the process's peak memory, down.
 */
export async function writeAllWithBackpressure(
  stream: Writable,
  chunks: readonly Uint8Array[],
  signal?: AbortSignal,
): Promise<void> {
  if (chunks.length === 1) return writeWithBackpressure(stream, chunks[0]!, signal);
  if (stream.destroyed) throw stream.errored ?? new Error('stream was closed before the backup finished');
  stream.cork();
  for (const chunk of chunks) stream.write(chunk);
  stream.uncork();
  if (stream.writableNeedDrain) await waitForDrain(stream, signal);
}

/** Ends a stream and waits until everything written has been accepted downstream. */
export async function endStream(stream: Writable): Promise<void> {
  stream.end();
  await finished(stream);
}
