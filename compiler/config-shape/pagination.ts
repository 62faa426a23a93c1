import { DEFAULTS } from "../ir/defaults.ts";
import { flag, integer, object, oneOfValues, tag, tagged, text } from "./kit.ts";

const maxPages = integer("Stop after this many pages per poll.", 1, undefined, DEFAULTS.maxPages);

type StoppingStrategy = keyof typeof DEFAULTS.stopOnEmptyPage;

/** The keys every paging strategy shares: page cap and the stop conditions. */
function stopKeys(strategy: StoppingStrategy) {
  return {
    max_pages: maxPages,
    has_more_path: text("Dotted path to a boolean in the response; `false` ends the pass."),
    stop_on_empty_page: flag("A page without events ends the pass.", DEFAULTS.stopOnEmptyPage[strategy]),
    stop_on_short_page: flag(
      "A page with fewer events than the page size ends the pass.",
      DEFAULTS.stopOnShortPage[strategy],
    ),
  };
}

const pageSize = {
  limit: integer("Page size.", 1),
  page_size: integer("Page size (Flicker's name for `limit`).", 1),
};

const linkHeader = object(
  {
    strategy: tag("link_header"),
    rel: text("Link relation to follow (case-insensitive).", { default: DEFAULTS.linkRel }),
    ...stopKeys("link_header"),
  },
  { required: ["strategy"], description: "Follow the `Link` header." },
);

const cursor = object(
  {
    strategy: tag("cursor"),
    cursor_param: text("Query parameter (GET) or body key (POST) that carries the cursor."),
    cursor_path: text("Dotted path to the next cursor in the response JSON."),
    ...stopKeys("cursor"),
  },
  { required: ["strategy", "cursor_param", "cursor_path"], description: "Cursor from the response body." },
);

const pageOffset = object(
  {
    strategy: tag("page_offset"),
    page_param: text("Query parameter for the page number."),
    limit_param: text("Query parameter for the page size."),
    ...pageSize,
    first_page: integer("Number of the first page.", 0, undefined, DEFAULTS.firstPage),
    ...stopKeys("page_offset"),
  },
  { required: ["strategy", "page_param", "limit_param"], description: "Numbered pages." },
);

const offset = object(
  {
    strategy: tag("offset"),
    offset_param: text("Query parameter for the 0-based offset."),
    limit_param: text("Query parameter for the page size."),
    ...pageSize,
    ...stopKeys("offset"),
  },
  { required: ["strategy", "offset_param", "limit_param"], description: "Offset and limit." },
);

const seconds = (description: string, minimum: number, fallback: number) =>
  integer(description, minimum, undefined, fallback);

const timeWindow = object(
  {
    strategy: tag("time_window"),
    start_param: text("Query parameter for the window start.", { default: DEFAULTS.windowStartParam }),
    end_param: text("Query parameter for the window end.", { default: DEFAULTS.windowEndParam }),
    time_format: oneOfValues(
      ["rfc3339", "iso8601", "unix", "unix_ms"],
      "How the window bounds are written.",
      DEFAULTS.windowTimeFormat,
    ),
    lag_secs: seconds("Windows end this long before now (late events).", 0, DEFAULTS.windowLagSecs),
    max_window_secs: seconds("Longest window per request.", 1, DEFAULTS.windowMaxSecs),
    initial_lookback_secs: seconds(
      "How far back the very first window starts.",
      0,
      DEFAULTS.windowInitialLookbackSecs,
    ),
    max_pages: integer("Stop after this many windows per poll.", 1, undefined, DEFAULTS.maxPages),
  },
  { required: ["strategy"], description: "Consecutive `start`/`end` time windows (Tailscale)." },
);

/** `pagination:` is tagged by `strategy`; absent means one request per poll. */
export const PAGINATION_SCHEMA = tagged(
  "strategy",
  [linkHeader, cursor, pageOffset, offset, timeWindow],
  "How to fetch further pages.",
);
