import { StateError } from "./store.ts";

/**
 * Waits for `call` at most `ms` (measured with the injected `sleep`, so virtual time drives it
 * in tests), then rejects with `HELR_STATE_READ`. The call itself is not cancelled; a late
 * answer is ignored, and a late failure is swallowed rather than left unhandled.
 */
export async function bounded<T>(
  call: () => Promise<T>,
  ms: number,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  what: string,
): Promise<T> {
  const stop = new AbortController();
  const result = call();
  result.catch(() => undefined);
  const timeout = sleep(ms, stop.signal).then(() => {
    if (!stop.signal.aborted)
      throw new StateError("HELR_STATE_READ", `${what} did not answer within ${Math.round(ms)} ms`);
  });
  try {
    return (await Promise.race([result, timeout])) as T;
  } finally {
    stop.abort();
  }
}
