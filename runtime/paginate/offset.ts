import type { OffsetPaginationSpec, PageOffsetPaginationSpec } from "../spec.ts";
import { stopCondition } from "./stop.ts";
import { type PageRequest, type Paginator, requestWith } from "./types.ts";

/** Page numbers: `page_param` = first_page, first_page + 1, … with `limit_param` = limit. */
export function pageOffsetPagination(spec: PageOffsetPaginationSpec): Paginator {
  return numbered(spec, spec.pageParam, spec.firstPage, 1);
}

/** Offsets: `offset_param` = 0, limit, 2 × limit, … with `limit_param` = limit. */
export function offsetPagination(spec: OffsetPaginationSpec): Paginator {
  return numbered(spec, spec.offsetParam, 0, spec.limit);
}

/**
 * Shared by both numbered strategies. The position is the next page number or offset while a
 * pass is in flight; a complete pass clears it, so the next poll starts again at the first
 * page with the committed high-water mark (these APIs have no other resume point).
 */
function numbered(
  spec: PageOffsetPaginationSpec | OffsetPaginationSpec,
  param: string,
  start: number,
  step: number,
): Paginator {
  const request = (url: string, body: PageRequest["body"], at: number): PageRequest =>
    requestWith(url, body, { [param]: at, [spec.limitParam]: spec.limit });
  const current = (page: PageRequest): number => {
    const fromBody = page.body !== null && typeof page.body === "object" && !Array.isArray(page.body);
    const raw = fromBody
      ? (page.body as Record<string, unknown>)[param]
      : new URL(page.url).searchParams.get(param);
    return Number(raw);
  };
  return {
    positionKey: spec.strategy === "offset" ? "offset" : "page",
    readsBody: spec.stop.hasMorePath !== undefined,
    first({ firstUrl, firstBody, saved }) {
      const at = saved !== undefined && /^\d+$/.test(saved) ? Number(saved) : start;
      return { kind: "request", request: request(firstUrl, firstBody, at) };
    },
    next(page) {
      const stop = stopCondition(spec.stop, page, spec.limit);
      if (stop !== undefined) return { kind: "stop", reason: stop, position: null };
      const next = current(page.request) + step;
      const position = String(next);
      if (page.pageNumber >= spec.maxPages) return { kind: "stop", reason: "max_pages", position };
      return { kind: "next", request: request(page.request.url, page.request.body, next), position };
    },
  };
}
