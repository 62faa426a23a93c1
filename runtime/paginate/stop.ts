import { getPath } from "../extract/path.ts";
import type { StopSpec } from "../spec.ts";
import type { PageView, StopReason } from "./types.ts";

/** The configured stop conditions shared by the strategies: `has_more`, empty page, short page. */
export function stopCondition(stop: StopSpec, page: PageView, pageSize?: number): StopReason | undefined {
  // A page skipped after a parse error says nothing about emptiness or `has_more`.
  if (page.document === undefined) return undefined;
  if (stop.hasMorePath !== undefined) {
    const more = getPath(page.document, stop.hasMorePath);
    if (more === false || more === "false") return "has_more_false";
  }
  if (stop.onEmptyPage && page.eventCount === 0) return "empty_page";
  if (stop.onShortPage && pageSize !== undefined && page.eventCount < pageSize) return "short_page";
  return undefined;
}
