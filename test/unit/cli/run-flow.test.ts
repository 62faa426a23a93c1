import { describe, expect, it } from "vitest";
import type { App, BoundSource } from "../../../runtime/app.ts";
import { RunFlow } from "../../../runtime/cli/run-flow.ts";
import type { Logger } from "../../../runtime/log.ts";
import { createRunEvents, type RunEvent } from "../../../runtime/observe/events.ts";
import type { Sink } from "../../../runtime/output/sink.ts";
import type { GlobalSpec } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { StateError, type StateStore } from "../../../runtime/state/store.ts";

/** A sink whose writes never complete until `release()`: the queue fills and stays full. */
function stuckSink(): Sink & { release(): void } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  return { write: () => gate, flush: () => gate, close: async () => undefined, release: () => release() };
}

const source = (id: string, priority: number) => ({ spec: { id, priority } }) as unknown as BoundSource;
const log = { info: () => undefined, warn: () => undefined } as unknown as Logger;

function app(global: Partial<GlobalSpec>): App {
  return { global: global as GlobalSpec, sources: [], stores: {}, version: "0" } as unknown as App;
}

describe("load shedding", () => {
  it("skips sources below skip_priority_below only while backpressure is active, and publishes each skip", async () => {
    const events = createRunEvents();
    const seen: RunEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const flow = new RunFlow(
      app({
        backpressure: {
          eventQueueSize: 2,
          stdoutBufferSize: 0,
          strategy: "block",
          dropPolicy: "oldest_first",
        },
        loadShedding: { skipPriorityBelow: 5 },
      }),
      log,
      events,
    );
    const inner = stuckSink();
    const sink = await flow.wrapSink(inner);
    const low = source("low", 3);
    const high = source("high", 8);
    expect(flow.skips(low)).toBe(false);
    // One block goes to the writer (stuck), two fill the queue, the fourth finds it full.
    for (let i = 0; i < 3; i++) await sink.write("{}\n", { sourceId: "high", lines: 1 });
    const waiting = sink.write("{}\n", { sourceId: "high", lines: 1 });
    expect(flow.skips(low)).toBe(true);
    expect(flow.skips(high)).toBe(false);
    expect(seen.filter((e) => e.type === "poll_skipped")).toEqual([
      { type: "poll_skipped", sourceId: "low", reason: "load_shedding" },
    ]);
    inner.release();
    await waiting;
    await sink.flush();
    expect(flow.skips(low)).toBe(false);
    await sink.close();
  });
});

describe("degraded state store visibility", () => {
  it("fallbackActive() and a store_fallback event on entering the memory fallback", async () => {
    const events = createRunEvents();
    const seen: RunEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const flow = new RunFlow(
      app({
        degradation: {
          stateStoreFallback: "memory",
          emitWithoutCheckpoint: false,
          reducedFrequencyMultiplier: 2,
        },
      } as Partial<GlobalSpec>),
      log,
      events,
    );
    expect(flow.fallbackActive()).toBe(false);
    const store = await flow.openStore(async () => {
      throw new StateError("HELR_STATE_OPEN", "redis://127.0.0.1:1 refused");
    });
    expect(flow.fallbackActive()).toBe(true);
    expect(flow.delayMs(1000)).toBe(2000);
    expect(seen.filter((e) => e.type === "store_fallback")).toEqual([
      { type: "store_fallback", active: true },
    ]);
    await store.close();
  });

  it("fallbackActive() is false without degradation and with a healthy primary", async () => {
    const plain = new RunFlow(app({}), log, createRunEvents());
    const opened: StateStore = await plain.openStore(() => memoryStore({ path: "" }));
    expect(plain.fallbackActive()).toBe(false);
    await opened.close();
  });
});
