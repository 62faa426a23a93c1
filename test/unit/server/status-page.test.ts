import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../../runtime/observe/events.ts";
import { createHealth } from "../../../runtime/observe/health.ts";
import { RING_MINUTES } from "../../../runtime/observe/minute-ring.ts";
import {
  escapeHtml,
  formatSecs,
  renderStatusPage,
  SPARK_HEIGHT,
  SPARK_WIDTH,
  STATUS_PAGE_CSP,
  sparklinePoints,
  sparklineSvg,
  statusPageRoute,
} from "../../../runtime/server/status-page.ts";

const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const MINUTE = 60_000;

function clock() {
  let now = T0;
  return { now: () => now, set: (ms: number) => (now = ms) };
}

const written = (sourceId: string, emitted: number, newestEventMs?: number): RunEvent => ({
  type: "written",
  sourceId,
  emitted,
  filtered: 0,
  duplicates: 0,
  oversized: 0,
  ...(newestEventMs !== undefined ? { newestEventMs } : {}),
});
const ended = (sourceId: string, atMs: number, error?: string): RunEvent => ({
  type: "poll_ended",
  sourceId,
  atMs,
  durationMs: 5,
  pages: 1,
  events: 0,
  ...(error ? { error: { code: "HELR_HTTP_STATUS", message: error } } : {}),
});

async function page(route: ReturnType<typeof statusPageRoute>) {
  const reply = await route.handle({
    method: "GET",
    path: "/",
    params: {},
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.alloc(0),
  });
  if (!("text" in reply)) throw new Error("expected an HTML reply");
  return reply;
}

describe("escapeHtml", () => {
  it("escapes every character that can end text or an attribute", () => {
    expect(escapeHtml(`<script>alert("x")</script>&'\``)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;",
    );
    expect(escapeHtml("okta_audit-1")).toBe("okta_audit-1");
  });
});

describe("status page", () => {
  it("escapes source ids and error messages wherever they appear", async () => {
    const c = clock();
    const evil = `x"><img src=x onerror=alert(1)>`;
    const health = createHealth({ sources: [evil], now: c.now });
    health.observe(ended(evil, T0 - 1000, "<b>boom</b>"));
    const { text } = await page(statusPageRoute({ version: "1.0", health, now: c.now }));
    expect(text).not.toContain("<img");
    expect(text).not.toContain("<b>boom");
    expect(text).toContain('data-source="x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(text).toContain("HELR_HTTP_STATUS: &lt;b&gt;boom&lt;/b&gt;");
  });

  it("shows one row per source with its status, breaker, last poll, events and lag", async () => {
    const c = clock();
    const health = createHealth({ sources: ["okta", "github"], now: c.now });
    // okta: two polls 3 minutes apart, 70 events, newest event 90 s before the last poll.
    c.set(T0 - 3 * MINUTE);
    health.observe(written("okta", 30, T0 - 5 * MINUTE));
    health.observe(ended("okta", T0 - 3 * MINUTE));
    c.set(T0 - 30_000);
    health.observe(written("okta", 40, T0 - 120_000));
    health.observe(ended("okta", T0 - 30_000));
    // github: one failed poll.
    health.observe(ended("github", T0 - 10_000, "503 from upstream"));
    c.set(T0);
    const { text, headers, contentType } = await page(
      statusPageRoute({ version: "1.0", health, now: c.now }),
    );
    expect(contentType).toBe("text/html; charset=utf-8");
    expect(headers?.["content-security-policy"]).toBe(STATUS_PAGE_CSP);
    const okta = rowOf(text, "okta");
    expect(okta).toContain('<span class="status ok">ok</span>');
    expect(okta).toContain("closed (0 failures)");
    expect(okta).toContain('data-field="events" class="num" data-value="70">70<');
    expect(okta).toContain('data-field="lag" class="num" data-value="120">2 min<');
    expect(okta).toContain("30 s ago");
    const github = rowOf(text, "github");
    expect(github).toContain('<span class="status degraded">degraded</span>');
    expect(github).toContain("10 s ago");
    expect(github).toContain('data-field="lag" class="num">–<');
    expect(text).toContain("2 source(s): 1 ok, 1 degraded, 0 unhealthy");
    expect(text).toMatch(/<meta http-equiv="refresh" content="10">/);
  });

  it("says so when no source is configured", () => {
    const html = renderStatusPage({ version: "1.0", nowMs: T0, uptimeSecs: 5, refreshSecs: 10, sources: [] });
    expect(html).toContain('data-empty="true">No sources configured.');
    expect(html).not.toContain("data-source=");
  });

  it("loads nothing and runs nothing: the only inline style matches the policy's hash", () => {
    const html = renderStatusPage({ version: "1.0", nowMs: T0, uptimeSecs: 5, refreshSecs: 10, sources: [] });
    expect(STATUS_PAGE_CSP).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|<link|src=|href=|style="/);
    const style = /<style>(.*)<\/style>/s.exec(html)?.[1] ?? "";
    const hash = createHash("sha256").update(style).digest("base64");
    expect(STATUS_PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
  });
});

describe("sparkline", () => {
  it("puts one x per minute across the width and scales y to the hour's peak", () => {
    const values: (number | null)[] = Array.from({ length: RING_MINUTES }, () => null);
    values[0] = 0;
    values[1] = 60;
    values[2] = 30;
    values[59] = 60;
    const { runs, max } = sparklinePoints(values);
    expect(max).toBe(60);
    const step = SPARK_WIDTH / (RING_MINUTES - 1);
    expect(runs).toEqual([
      [
        [0, SPARK_HEIGHT - 1],
        [round(step), 1],
        [round(2 * step), 1 + (SPARK_HEIGHT - 2) / 2],
      ],
      [[SPARK_WIDTH, 1]],
    ]);
    const svg = sparklineSvg(values);
    expect(svg).toContain(`<polyline points="0,${SPARK_HEIGHT - 1} ${round(step)},1 `);
    expect(svg).toContain(`<circle cx="${SPARK_WIDTH}" cy="1" r="1.5"/>`);
    expect(svg).toContain("peak 1 min");
  });

  it("draws a baseline when no lag was recorded and keeps flat zero lag at the bottom", () => {
    const none = Array.from({ length: RING_MINUTES }, () => null);
    expect(sparklinePoints(none).runs).toEqual([]);
    expect(sparklineSvg(none)).toContain("<line ");
    expect(sparklineSvg(none)).toContain("no lag recorded");
    const zeros = sparklinePoints([0, 0, 0], 10, 10);
    expect(zeros.runs).toEqual([
      [
        [0, 9],
        [5, 9],
        [10, 9],
      ],
    ]);
  });

  it("follows the health model's per-minute lag", async () => {
    const c = clock();
    const health = createHealth({ sources: ["okta"], now: c.now });
    for (let m = 0; m < 3; m++) {
      const at = T0 - (2 - m) * MINUTE;
      c.set(at);
      health.observe(written("okta", 1, at - (m + 1) * 10_000));
      health.observe(ended("okta", at));
    }
    const lag = health.source("okta")?.lagHistory ?? [];
    expect(lag.slice(-3)).toEqual([10, 20, 30]);
    const { text } = await page(statusPageRoute({ version: "1.0", health, now: c.now }));
    expect(rowOf(text, "okta")).toContain('data-peak="30"');
  });
});

describe("formatSecs", () => {
  it("picks a unit", () => {
    expect([formatSecs(4.25), formatSecs(42), formatSecs(210), formatSecs(7560), formatSecs(-3)]).toEqual([
      "4.3 s",
      "42 s",
      "3.5 min",
      "2.1 h",
      "0 s",
    ]);
  });
});

function rowOf(html: string, id: string): string {
  const start = html.indexOf(`<tr data-source="${id}">`);
  if (start < 0) throw new Error(`no row for ${id}`);
  return html.slice(start, html.indexOf("</tr>", start));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
