/**
 * Waits for `promise`, or rejects as soon as `signal` aborts; the work itself goes on (it may be
 * shared, such as a database worker or a booting container). Rejects with the signal's reason
 * when it is an Error, as AbortController's own reasons are. No Node imports: the browser's
 * runners use it too.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  const reasonOf = () => (signal.reason instanceof Error ? signal.reason : new Error('The work was cancelled.'));
  if (signal.aborted) return Promise.reject(reasonOf());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reasonOf());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
