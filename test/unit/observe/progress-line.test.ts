import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { RunEvent } from "../../../runtime/observe/events.ts";
import { renderProgress, startProgressLine } from "../../../runtime/observe/progress-line.ts";

function terminal(columns = 120) {
  const writes: string[] = [];
  return { writes, columns, write: (t: string) => writes.push(t) > 0 };
}

const T0 = Date.UTC(2026, 0, 1);

describe("progress line", () => {
  it("shows each source's pages, events, rate and where it stands, and ends the line when stopped", () => {
    const term = terminal();
    let now = T0;
    const line = startProgressLine({
      terminal: term,
      sources: ["okta", "github"],
      now: () => now,
      everyMs: 1e9,
    });
    const feed = (...events: RunEvent[]) => events.forEach(line.observe);
    feed(
      { type: "poll_started", sourceId: "okta", atMs: T0 },
      { type: "page", sourceId: "okta", bytes: 10, received: 500 },
      { type: "written", sourceId: "okta", emitted: 500, filtered: 0, duplicates: 0, oversized: 0 },
      { type: "page", sourceId: "okta", bytes: 10, received: 700 },
      { type: "written", sourceId: "okta", emitted: 700, filtered: 0, duplicates: 0, oversized: 0 },
      {
        type: "retry",
        sourceId: "github",
        attempt: 2,
        delayMs: 1,
        basis: "backoff",
        reason: "HTTP 503",
        cause: "status",
      },
      { type: "page", sourceId: "elsewhere", bytes: 1, received: 1 },
    );
    now = T0 + 2000;
    feed({
      type: "poll_ended",
      sourceId: "okta",
      atMs: now,
      durationMs: 2000,
      pages: 2,
      events: 1200,
      stopReason: "end",
    });
    line.stop();
    const out = term.writes.join("");
    expect(out).toBe(
      "\r\x1b[Kokta 2 pages 1,200 ev 600 ev/s end │ github 0 pages 0 ev 0 ev/s retrying (status)\n",
    );
  });

  it("clears itself before another write and comes back after it", () => {
    const term = terminal();
    const line = startProgressLine({ terminal: term, sources: ["okta"], now: () => T0, everyMs: 1e9 });
    line.clear(); // nothing shown yet: nothing to clear
    line.observe({ type: "poll_started", sourceId: "okta", atMs: T0 });
    line.stop();
    expect(term.writes).toEqual(["\r\x1b[Kokta 0 pages 0 ev 0 ev/s polling", "\n"]);
    const again = startProgressLine({ terminal: term, sources: ["okta"], now: () => T0, everyMs: 1e9 });
    again.observe({ type: "poll_started", sourceId: "okta", atMs: T0 });
    again.stop();
    term.writes.length = 0;
    vi.useFakeTimers();
    try {
      const live = startProgressLine({ terminal: term, sources: ["okta"], now: () => T0, everyMs: 5 });
      live.observe({ type: "poll_started", sourceId: "okta", atMs: T0 });
      vi.advanceTimersByTime(5);
      live.clear();
      vi.advanceTimersByTime(5);
      live.stop();
    } finally {
      vi.useRealTimers();
    }
    expect(term.writes).toEqual([
      "\r\x1b[Kokta 0 pages 0 ev 0 ev/s polling",
      "\r\x1b[K",
      "\r\x1b[Kokta 0 pages 0 ev 0 ev/s polling",
      "\n",
    ]);
  });

  it("never draws wider than the terminal", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z_]{1,40}$/), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 300 }),
        (ids, columns) => {
          const sources = new Map(
            ids.map((id) => [
              id,
              { pages: 1, events: 99, startedMs: T0, endedMs: undefined, state: "polling" },
            ]),
          );
          expect(renderProgress(sources, T0 + 1000, columns).length).toBeLessThanOrEqual(
            Math.max(10, columns - 1),
          );
        },
      ),
    );
  });
});
