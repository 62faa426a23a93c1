import type { Logger } from "../log.ts";

/** How long requests already in flight may still finish after SIGTERM/SIGINT. */
export const SHUTDOWN_GRACE_MS = 1500;

/** A requested shutdown, as the engine and the scheduler see it. */
export interface Shutdown {
  /** True once a signal (or an output failure) asked the run to stop. */
  stopping(): boolean;
  /** Asks the run to stop (an output failure does this). */
  stop(): void;
  /** Aborted at once: every wait (back-off, Retry-After, rate budget, schedule) ends now. */
  readonly waits: AbortSignal;
  /**
   * Aborted {@link SHUTDOWN_GRACE_MS} after the stop: a page still being fetched gets that long
   * to arrive (and then be written and checkpointed); after it, its request is cancelled and the
   * page is fetched again on the next start. Either way state stays consistent.
   */
  readonly requests: AbortSignal;
  /** Removes the signal handlers. */
  dispose(): void;
}

/**
 * SIGTERM/SIGINT: stop polling, let the current page finish (within the grace), checkpoint,
 * flush, exit 0 (docs/cli.md). A second signal exits 130 at once.
 */
export function onShutdown(log: Logger, graceMs = SHUTDOWN_GRACE_MS): Shutdown {
  const waits = new AbortController();
  const requests = new AbortController();
  let stopping = false;
  let signalled = false;
  let grace: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    waits.abort();
    grace = setTimeout(() => requests.abort(), graceMs);
    grace.unref();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log.warn({ signal }, "second signal: exiting now without a checkpoint");
      process.exit(130);
    }
    signalled = true;
    log.info({ signal }, "stopping: finishing the current page, then checkpointing");
    stop();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    stopping: () => stopping,
    stop,
    waits: waits.signal,
    requests: requests.signal,
    dispose: () => {
      clearTimeout(grace);
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}
