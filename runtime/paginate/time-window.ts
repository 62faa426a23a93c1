import { formatTime } from "../engine/watermark.ts";
import type { TimeWindowPaginationSpec } from "../spec.ts";
import { type Paginator, requestWith } from "./types.ts";

/**
 * Time windows for APIs without pagination (Tailscale): each request asks for
 * [start, end] with end = min(start + max_window, now − lag). The position is the start of the
 * next window (`window_start`, RFC 3339), stored once a window's events are written. Bounds are
 * inclusive at the vendor, so the boundary instant is read twice: pair with dedupe.
 */
export function timeWindowPagination(spec: TimeWindowPaginationSpec): Paginator {
  const windowFrom = (start: Date, now: Date) => {
    const limit = now.getTime() - spec.lagSecs * 1000;
    const end = Math.min(start.getTime() + spec.maxWindowSecs * 1000, limit);
    return end > start.getTime() ? new Date(end) : undefined;
  };
  const make = (url: string, body: unknown, start: Date, end: Date) =>
    requestWith(url, body as never, {
      [spec.startParam]: formatTime(start, spec.format),
      [spec.endParam]: formatTime(end, spec.format),
    });
  return {
    positionKey: "window_start",
    readsBody: false,
    first({ firstUrl, firstBody, saved, now }) {
      const parsed = saved !== undefined ? Date.parse(saved) : Number.NaN;
      const start = Number.isNaN(parsed)
        ? new Date(now.getTime() - spec.initialLookbackSecs * 1000)
        : new Date(parsed);
      const end = windowFrom(start, now);
      if (end === undefined) return { kind: "skip", reason: "caught_up" };
      return { kind: "request", request: make(firstUrl, firstBody, start, end) };
    },
    next(page) {
      const start = readBound(page.request, spec.startParam, spec);
      const end = new Date(readBound(page.request, spec.endParam, spec));
      const position = end.toISOString();
      // A window shorter than max_window was cut at now − lag: the pass has reached the present.
      // Measuring again against the clock of this page would only add slivers of a few ms.
      if (end.getTime() - start < spec.maxWindowSecs * 1000)
        return { kind: "stop", reason: "caught_up", position };
      const nextEnd = windowFrom(end, page.now);
      if (nextEnd === undefined) return { kind: "stop", reason: "caught_up", position };
      if (page.pageNumber >= spec.maxPages) return { kind: "stop", reason: "max_pages", position };
      return { kind: "next", request: make(page.request.url, page.request.body, end, nextEnd), position };
    },
  };
}

function readBound(
  request: { url: string; body?: unknown },
  param: string,
  spec: TimeWindowPaginationSpec,
): number {
  const body = request.body as Record<string, unknown> | undefined;
  const raw = body !== undefined ? body[param] : new URL(request.url).searchParams.get(param);
  if (spec.format === "unix") return Number(raw) * 1000;
  if (spec.format === "unix_ms") return Number(raw);
  return Date.parse(String(raw));
}
