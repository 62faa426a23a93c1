/**
 * The status page at `/` on the API server: one self-contained HTML document, a row per source
 * (status, breaker, last poll, events in the last hour, ingest lag and an inline SVG sparkline of
 * the lag over the last hour), built from the health model on every request.
 *
 * Safe to serve next to the REST API: no script and no external asset, so the Content-Security-
 * Policy allows nothing but the page's one inline style (by hash); every value that comes from
 * configuration or the run (source ids, error messages) is HTML-escaped; CSS classes come from a
 * closed set, never from data. It refreshes itself with `<meta http-equiv="refresh">` (no script
 * needed, and it keeps working under the strict policy). The route is protected like the REST
 * API (`auth: true`): source ids and error messages are configuration facts.
 */
import { createHash } from "node:crypto";
import type { HealthModel, HealthStatus, SourceHealth } from "../observe/health.ts";
import { circuitStateJson } from "../observe/health-json.ts";
import type { Route } from "./routes.ts";

/** What the page reads from the health model. */
export type StatusHealth = Pick<HealthModel, "sources" | "uptimeSecs">;

export interface StatusPageOptions {
  readonly version: string;
  readonly health: StatusHealth;
  /** Epoch ms. */
  readonly now: () => number;
  /** Seconds between the page's own reloads, read per request; default {@link DEFAULT_REFRESH_SECS}. */
  readonly refreshSecs?: number | (() => number);
}

export const DEFAULT_REFRESH_SECS = 10;

/** Sparkline size in CSS pixels. */
export const SPARK_WIDTH = 120;
export const SPARK_HEIGHT = 24;

const STYLE = [
  "body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;background:#fff}",
  "h1{font-size:1.25rem;margin:0 0 .25rem}",
  "p.meta{color:#57606a;margin:0 0 1rem}",
  "table{border-collapse:collapse;min-width:60rem}",
  "th,td{padding:.35rem .6rem;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:middle}",
  "th{background:#f6f8fa;font-weight:600}",
  "td.num{text-align:right;font-variant-numeric:tabular-nums}",
  ".status{font-weight:600;border-radius:.75rem;padding:.1rem .5rem}",
  ".ok{background:#dafbe1;color:#116329}",
  ".degraded{background:#fff8c5;color:#7d4e00}",
  ".unhealthy{background:#ffebe9;color:#a40e26}",
  ".err{color:#a40e26;font-size:.85em}",
  "svg.spark polyline{fill:none;stroke:#0969da;stroke-width:1.5}",
  "svg.spark circle{fill:#0969da}",
  "svg.spark line{stroke:#d0d7de;stroke-width:1}",
  "td.empty{color:#57606a;font-style:italic}",
].join("");

const STYLE_HASH = createHash("sha256").update(STYLE).digest("base64");

/**
 * The page's policy: nothing may load or run; only the inline style, by hash. `frame-ancestors`
 * and `form-action` close clickjacking and form reposts.
 */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** `GET /`: the status page. */
export function statusPageRoute(options: StatusPageOptions): Route {
  return {
    method: "GET",
    path: "/",
    auth: true,
    handle: () => ({
      status: 200,
      text: renderStatusPage({
        version: options.version,
        nowMs: options.now(),
        uptimeSecs: options.health.uptimeSecs(),
        refreshSecs:
          typeof options.refreshSecs === "function"
            ? options.refreshSecs()
            : (options.refreshSecs ?? DEFAULT_REFRESH_SECS),
        sources: options.health.sources(),
      }),
      contentType: "text/html; charset=utf-8",
      headers: {
        "content-security-policy": STATUS_PAGE_CSP,
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
      },
    }),
  };
}

/** What one page shows. */
export interface StatusView {
  readonly version: string;
  readonly nowMs: number;
  readonly uptimeSecs: number;
  readonly refreshSecs: number;
  readonly sources: readonly SourceHealth[];
}

/** One source's row, as numbers and closed-set words (rendered by {@link renderStatusPage}). */
export interface StatusRow {
  readonly id: string;
  readonly status: HealthStatus;
  /** `closed (0 failures)`, `open (retry in 12 s)`, `half-open (1 success)`. */
  readonly breaker: string;
  /** The end of the last poll, failed or not (epoch ms). */
  readonly lastPollMs?: number;
  readonly polling: boolean;
  readonly eventsLastHour: number;
  /** Now minus the newest event time written (s), as `helr_ingest_lag_seconds`; absent until one was. */
  readonly lagSecs?: number;
  readonly lagHistory: readonly (number | null)[];
  readonly lastError?: string;
}

export function statusRow(source: SourceHealth, nowMs: number): StatusRow {
  const lastPoll = Math.max(source.lastSuccessMs ?? -1, source.lastErrorAtMs ?? -1);
  return {
    id: source.id,
    status: source.status,
    breaker: breakerText(source, nowMs),
    ...(lastPoll >= 0 ? { lastPollMs: lastPoll } : {}),
    polling: source.polling,
    eventsLastHour: source.eventsLastHour,
    ...(source.newestEventMs !== undefined
      ? { lagSecs: Math.max(0, (nowMs - source.newestEventMs) / 1000) }
      : {}),
    lagHistory: source.lagHistory,
    ...(source.lastError ? { lastError: `${source.lastError.code}: ${source.lastError.message}` } : {}),
  };
}

function breakerText(source: SourceHealth, nowMs: number): string {
  const json = circuitStateJson(source.circuit, nowMs);
  switch (json.state) {
    case "open":
      return `open (retry in ${formatSecs(json.open_until_secs)})`;
    case "half_open":
      return `half-open (${plural(json.successes, "success", "successes")})`;
    default:
      return `closed (${plural(json.failures, "failure", "failures")})`;
  }
}

/** The whole document. */
export function renderStatusPage(view: StatusView): string {
  const rows = view.sources.map((s) => statusRow(s, view.nowMs));
  const counts = { ok: 0, degraded: 0, unhealthy: 0 };
  for (const row of rows) counts[row.status]++;
  const body =
    rows.length === 0
      ? '<tr><td class="empty" colspan="7" data-empty="true">No sources configured.</td></tr>'
      : rows.map((row) => renderRow(row, view.nowMs)).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${Math.max(1, Math.round(view.refreshSecs))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Helr status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Helr status</h1>
<p class="meta">helr ${escapeHtml(view.version)} · up ${formatSecs(view.uptimeSecs)} · ${rows.length} source(s): ${counts.ok} ok, ${counts.degraded} degraded, ${counts.unhealthy} unhealthy · as of <time datetime="${iso(view.nowMs)}">${iso(view.nowMs)}</time> · refreshes every ${Math.round(view.refreshSecs)} s</p>
<table>
<thead><tr><th>Source</th><th>Status</th><th>Breaker</th><th>Last poll</th><th>Events (1 h)</th><th>Ingest lag</th><th>Lag, last hour</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}

function renderRow(row: StatusRow, nowMs: number): string {
  const id = escapeHtml(row.id);
  const lastPoll =
    row.lastPollMs === undefined
      ? "never"
      : `<time datetime="${iso(row.lastPollMs)}" title="${iso(row.lastPollMs)}">${formatSecs((nowMs - row.lastPollMs) / 1000)} ago</time>`;
  const error = row.lastError === undefined ? "" : `<div class="err">${escapeHtml(row.lastError)}</div>`;
  return [
    `<tr data-source="${id}">`,
    `<td data-field="id">${id}</td>`,
    `<td data-field="status"><span class="status ${row.status}">${row.status}</span>${error}</td>`,
    `<td data-field="breaker">${escapeHtml(row.breaker)}</td>`,
    `<td data-field="last-poll">${lastPoll}${row.polling ? " (polling)" : ""}</td>`,
    `<td data-field="events" class="num" data-value="${row.eventsLastHour}">${row.eventsLastHour}</td>`,
    row.lagSecs === undefined
      ? '<td data-field="lag" class="num">–</td>'
      : `<td data-field="lag" class="num" data-value="${round(row.lagSecs)}">${formatSecs(row.lagSecs)}</td>`,
    `<td data-field="sparkline">${sparklineSvg(row.lagHistory)}</td>`,
    "</tr>",
  ].join("");
}

/**
 * The sparkline's geometry: one x per minute (oldest left), y scaled to the hour's largest lag
 * (0 at the bottom), and a separate run of points wherever minutes without a poll break the line.
 */
export function sparklinePoints(
  values: readonly (number | null)[],
  width = SPARK_WIDTH,
  height = SPARK_HEIGHT,
): { readonly runs: readonly (readonly [number, number])[][]; readonly max: number } {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const max = present.length === 0 ? 0 : Math.max(...present);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number) => round(max <= 0 ? height - 1 : 1 + (1 - Math.max(0, v) / max) * (height - 2));
  const runs: [number, number][][] = [];
  let run: [number, number][] | undefined;
  for (const [i, v] of values.entries()) {
    if (v === null || !Number.isFinite(v)) {
      run = undefined;
      continue;
    }
    if (!run) {
      run = [];
      runs.push(run);
    }
    run.push([round(i * step), y(v)]);
  }
  return { runs, max };
}

/** Inline SVG (presentation only, no script); a lone point is a dot, no data is a baseline. */
export function sparklineSvg(values: readonly (number | null)[]): string {
  const { runs, max } = sparklinePoints(values);
  const label =
    runs.length === 0
      ? "no lag recorded in the last hour"
      : `lag over the last hour, peak ${formatSecs(max)}`;
  const shapes =
    runs.length === 0
      ? [`<line x1="0" y1="${SPARK_HEIGHT - 1}" x2="${SPARK_WIDTH}" y2="${SPARK_HEIGHT - 1}"/>`]
      : runs.map((points) => {
          const [first] = points;
          if (points.length === 1 && first) return `<circle cx="${first[0]}" cy="${first[1]}" r="1.5"/>`;
          return `<polyline points="${points.map(([x, y]) => `${x},${y}`).join(" ")}"/>`;
        });
  return `<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="${SPARK_WIDTH}" height="${SPARK_HEIGHT}" viewBox="0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}" role="img" aria-label="${label}" data-peak="${round(max)}"><title>${label}</title>${shapes.join("")}</svg>`;
}

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** `42 s`, `3.5 min`, `2.1 h`, `1.5 d`. */
export function formatSecs(secs: number): string {
  const s = Math.max(0, secs);
  if (s < 60) return `${s < 10 ? round(s, 1) : Math.round(s)} s`;
  if (s < 3600) return `${round(s / 60, 1)} min`;
  if (s < 86_400) return `${round(s / 3600, 1)} h`;
  return `${round(s / 86_400, 1)} d`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
