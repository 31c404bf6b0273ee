/**
 * Waits for `work`, or, once `signal` aborts, for at most `graceMs` more:
 * then rejects with the signal's reason and leaves `work` to end on its own
 * (its outcome is ignored). For a time budget that must hold even when the
 * work does not listen to the signal at every step: a MongoDB catalog read on
 * FerretDB counts every document of every collection and cannot be
 * interrupted, so a 5 s `stowage bench` ran for four minutes.
 */
export function abandonOnAbort<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(signal.reason), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
