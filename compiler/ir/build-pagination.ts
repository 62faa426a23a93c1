import type { PaginationSpec, StopSpec } from "../../runtime/spec.ts";
import type { RawPagination } from "../config-shape/types.ts";
import { DEFAULTS } from "./defaults.ts";
import { literal, optional, required, unescapeDollars } from "./text.ts";

type Paging = Exclude<RawPagination, { strategy: "time_window" }>;

/** Resolves `pagination:`; absent means one request per poll. */
export function buildPagination(raw: RawPagination | undefined): PaginationSpec {
  if (raw === undefined) return { strategy: "single" };
  const maxPages = raw.max_pages ?? DEFAULTS.maxPages;
  switch (raw.strategy) {
    case "link_header":
      return {
        strategy: "link_header",
        rel: unescapeDollars(raw.rel ?? DEFAULTS.linkRel),
        maxPages,
        stop: stop(raw),
      };
    case "cursor":
      return {
        strategy: "cursor",
        cursorParam: unescapeDollars(raw.cursor_param),
        cursorPath: unescapeDollars(raw.cursor_path),
        maxPages,
        stop: stop(raw),
      };
    case "page_offset":
      return {
        strategy: "page_offset",
        pageParam: unescapeDollars(raw.page_param),
        limitParam: unescapeDollars(raw.limit_param),
        limit: required(raw.limit ?? raw.page_size, "pagination limit"),
        firstPage: raw.first_page ?? DEFAULTS.firstPage,
        maxPages,
        stop: stop(raw),
      };
    case "offset":
      return {
        strategy: "offset",
        offsetParam: unescapeDollars(raw.offset_param),
        limitParam: unescapeDollars(raw.limit_param),
        limit: required(raw.limit ?? raw.page_size, "pagination limit"),
        maxPages,
        stop: stop(raw),
      };
    case "time_window":
      return {
        strategy: "time_window",
        startParam: unescapeDollars(raw.start_param ?? DEFAULTS.windowStartParam),
        endParam: unescapeDollars(raw.end_param ?? DEFAULTS.windowEndParam),
        format: raw.time_format ?? DEFAULTS.windowTimeFormat,
        lagSecs: raw.lag_secs ?? DEFAULTS.windowLagSecs,
        maxWindowSecs: raw.max_window_secs ?? DEFAULTS.windowMaxSecs,
        initialLookbackSecs: raw.initial_lookback_secs ?? DEFAULTS.windowInitialLookbackSecs,
        maxPages,
      };
  }
}

function stop(raw: Paging): StopSpec {
  return {
    ...optional("hasMorePath", literal(raw.has_more_path)),
    onEmptyPage: raw.stop_on_empty_page ?? DEFAULTS.stopOnEmptyPage[raw.strategy],
    onShortPage: raw.stop_on_short_page ?? DEFAULTS.stopOnShortPage[raw.strategy],
  };
}
