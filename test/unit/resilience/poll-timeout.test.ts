import { describe, expect, it } from "vitest";
import { PollTimeoutError, withPollTimeout } from "../../../runtime/resilience/poll-timeout.ts";
import { resilientSource } from "../../support/resilience-spec.ts";

const untilAborted = (signal: AbortSignal) =>
  new Promise<string>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

describe("poll tick timeout", () => {
  it("aborts the poll's signal and rejects with HELR_POLL_TIMEOUT", async () => {
    const spec = resilientSource({ timeouts: { pollTickSecs: 0.05 } }, "slow");
    let seen: AbortSignal | undefined;
    const run = withPollTimeout((signal) => {
      seen = signal;
      return untilAborted(signal);
    }, spec);
    await expect(run).rejects.toMatchObject({
      code: "HELR_POLL_TIMEOUT",
      message: expect.stringContaining('source "slow"'),
    });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(PollTimeoutError);
  });

  it("rejects on time even when the poll ignores its signal", async () => {
    const spec = resilientSource({ timeouts: { pollTickSecs: 0.02 } });
    await expect(withPollTimeout(() => new Promise(() => {}), spec)).rejects.toBeInstanceOf(PollTimeoutError);
  });

  it("passes results through, and follows the parent signal without a limit", async () => {
    const spec = resilientSource();
    await expect(withPollTimeout(async () => 42, spec)).resolves.toBe(42);
    const parent = new AbortController();
    const run = withPollTimeout(untilAborted, spec, parent.signal);
    parent.abort(new Error("shutdown"));
    await expect(run).rejects.toThrow("shutdown");
  });
});
