/** A store call bounded by the keeper's renewal period, driven by virtual time. */
import { describe, expect, it } from "vitest";
import { bounded } from "../../../runtime/state/bounded.ts";
import { StateError } from "../../../runtime/state/store.ts";
import { virtualTime } from "./replicas.ts";

describe("bounded store calls", () => {
  it("gives up on a call that hangs once the time is up, naming what did not answer", async () => {
    const time = virtualTime();
    const hung = bounded(() => new Promise<never>(() => {}), 300, time.sleep, "the lease store");
    let settled = false;
    void hung.catch(() => undefined).finally(() => (settled = true));
    time.advance(299);
    await Promise.resolve();
    expect(settled).toBe(false);
    time.advance(1);
    const error = await hung.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect(error).toMatchObject({
      code: "HELR_STATE_READ",
      message: "the lease store did not answer within 300 ms",
    });
  });

  it("returns an answer in time, and passes its failure on", async () => {
    const time = virtualTime();
    expect(await bounded(async () => 7, 300, time.sleep, "x")).toBe(7);
    await expect(
      bounded(async () => Promise.reject(new Error("refused")), 300, time.sleep, "x"),
    ).rejects.toThrow("refused");
    time.advance(1_000); // the timers of finished calls were cancelled: nothing rejects later
  });

  it("swallows the late failure of a call it gave up on", async () => {
    const time = virtualTime();
    let fail: (error: Error) => void = () => {};
    const late = bounded(() => new Promise<never>((_, reject) => (fail = reject)), 10, time.sleep, "x");
    time.advance(10);
    await expect(late).rejects.toMatchObject({ code: "HELR_STATE_READ" });
    fail(new Error("too late")); // an unhandled rejection here would fail the run
    await new Promise((done) => setImmediate(done));
  });
});
