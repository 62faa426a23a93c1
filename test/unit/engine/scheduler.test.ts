import { describe, expect, it } from "vitest";
import { createScheduleSet } from "../../../runtime/engine/schedule-set.ts";
import { nextDelayMs } from "../../../runtime/engine/scheduler.ts";

describe("scheduler", () => {
  it("adds jitter in [0, jitter_secs] to the interval", () => {
    expect(nextDelayMs({ intervalSecs: 60, jitterSecs: 10 }, () => 0)).toBe(60_000);
    expect(nextDelayMs({ intervalSecs: 60, jitterSecs: 10 }, () => 0.999)).toBe(69_990);
  });

  it("runs each source on its own interval, not one global tick", async () => {
    const controller = new AbortController();
    let clock = 0;
    const polls: Array<[string, number]> = [];
    const timers: Array<{ at: number; resolve: () => void }> = [];
    const sleep = (ms: number) => new Promise<void>((resolve) => timers.push({ at: clock + ms, resolve }));
    const items = [
      { id: "fast", schedule: { intervalSecs: 10, jitterSecs: 0 } },
      { id: "slow", schedule: { intervalSecs: 35, jitterSecs: 0 } },
    ];
    const set = createScheduleSet<(typeof items)[number]>(
      async (item) => void polls.push([item.id, clock / 1000]),
      {
        signal: controller.signal,
        random: () => 0,
        sleep,
      },
    );
    for (const item of items) set.add(item.id, item);
    const done = set.done();
    const settle = async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    for (let step = 0; step < 12; step++) {
      await settle();
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (!next) break;
      clock = next.at;
      if (clock > 70_000) controller.abort();
      next.resolve();
    }
    for (const t of timers) t.resolve();
    await done;
    expect(polls.filter(([id]) => id === "fast").map(([, t]) => t)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(polls.filter(([id]) => id === "slow").map(([, t]) => t)).toEqual([0, 35, 70]);
  });
});
