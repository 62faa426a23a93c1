/**
 * runtime/paginate/time-window.ts against a clock that moves during the pass, as a real one does:
 * once a window was cut at now − lag, the pass is caught up. It must not go on asking for the few
 * milliseconds that passed while the previous window was fetched (found by the Tailscale catalog
 * test: 48 requests per poll, most for 1–5 ms windows, ending at max_pages).
 */
import { describe, expect, it } from "vitest";
import { timeWindowPagination } from "../../../runtime/paginate/time-window.ts";
import type { PageRequest, PageView } from "../../../runtime/paginate/types.ts";
import type { TimeWindowPaginationSpec } from "../../../runtime/spec.ts";

const spec: TimeWindowPaginationSpec = {
  strategy: "time_window",
  startParam: "start",
  endParam: "end",
  format: "rfc3339",
  lagSecs: 120,
  maxWindowSecs: 3600,
  initialLookbackSecs: 3 * 3600,
  maxPages: 48,
};
const NOW = Date.parse("2026-01-01T12:00:00.000Z");
const URL_ = "https://api.example/logs";

const view = (request: PageRequest, pageNumber: number, nowMs: number): PageView => ({
  request,
  status: 200,
  headers: new Map(),
  document: { logs: [] },
  eventCount: 0,
  pageNumber,
  now: new Date(nowMs),
});
const bounds = (request: PageRequest) => Object.fromEntries(new URL(request.url).searchParams);

describe("time_window with a moving clock", () => {
  it("reads whole windows up to now − lag once, then stops caught up", () => {
    const paginator = timeWindowPagination(spec);
    const first = paginator.first({
      firstUrl: URL_,
      pageUrl: URL_,
      firstBody: undefined,
      pageBody: undefined,
      saved: undefined,
      now: new Date(NOW),
    });
    if (first.kind !== "request") throw new Error("expected a first window");
    const windows = [bounds(first.request)];
    let request = first.request;
    let stopped = false;
    for (let page = 1; page < 10 && !stopped; page++) {
      // Every page takes 7 ms: the clock is later each time the paginator is asked.
      const step = paginator.next(view(request, page, NOW + 7 * page));
      if (step.kind === "stop") {
        expect(step.reason).toBe("caught_up");
        expect(step.position).toBe("2026-01-01T11:58:00.014Z");
        stopped = true;
        continue;
      }
      request = step.request;
      windows.push(bounds(request));
    }
    expect(stopped).toBe(true);
    expect(windows).toEqual([
      { start: "2026-01-01T09:00:00Z", end: "2026-01-01T10:00:00Z" },
      { start: "2026-01-01T10:00:00Z", end: "2026-01-01T11:00:00Z" },
      { start: "2026-01-01T11:00:00Z", end: "2026-01-01T11:58:00.014Z" },
    ]);
  });
});
