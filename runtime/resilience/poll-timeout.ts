import { HelrError } from "../errors/helr-error.ts";
import type { SourceSpec } from "../spec.ts";

/** `HELR_POLL_TIMEOUT`: a whole poll of a source ran longer than `pollTickSecs`. */
export class PollTimeoutError extends HelrError {
  constructor(
    readonly sourceId: string,
    readonly limitSecs: number,
  ) {
    super(
      "HELR_POLL_TIMEOUT",
      `source "${sourceId}": poll tick timed out after ${limitSecs} s (timeouts.poll_tick_secs)`,
    );
  }
}

/**
 * Runs one poll under the source's `pollTickSecs` limit. `run` receives a signal that aborts
 * (reason: {@link PollTimeoutError}) when the limit passes or `parent` aborts; pass it to every
 * request and sleep of the poll. The returned promise rejects at the limit even if `run` ignores
 * the signal. Without `pollTickSecs`, only `parent` applies.
 */
export async function withPollTimeout<T>(
  run: (signal: AbortSignal) => Promise<T>,
  spec: SourceSpec,
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  const limitSecs = spec.resilience.timeouts.pollTickSecs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (limitSecs === undefined) return;
    timer = setTimeout(() => {
      const error = new PollTimeoutError(spec.id, limitSecs);
      controller.abort(error);
      reject(error);
    }, limitSecs * 1000);
  });
  const running = run(controller.signal);
  try {
    return await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener("abort", onParentAbort);
    running.catch(() => {});
  }
}
