import { DEFAULTS } from "../../ir/defaults.ts";
import { integer, object, type SchemaNode, text } from "./types.ts";

const maxPages = integer("Stop after this many pages per poll.", 1, undefined, DEFAULTS.maxPages);

const linkHeader = object(
  {
    strategy: { const: "link_header" },
    rel: text("Link relation to follow (case-insensitive).", { default: DEFAULTS.linkRel }),
    max_pages: maxPages,
  },
  { required: ["strategy"], description: "Follow the `Link` header." },
);

const cursor = object(
  {
    strategy: { const: "cursor" },
    cursor_param: text("Query parameter (GET) or body key (POST) that carries the cursor."),
    cursor_path: text("Dotted path to the next cursor in the response JSON."),
    max_pages: maxPages,
  },
  { required: ["strategy", "cursor_param", "cursor_path"], description: "Cursor from the response body." },
);

const pageOffset = object(
  {
    strategy: { const: "page_offset" },
    page_param: text("Query parameter for the 1-based page number."),
    limit_param: text("Query parameter for the page size."),
    limit: integer("Page size.", 1),
    max_pages: maxPages,
  },
  { required: ["strategy", "page_param", "limit_param", "limit"], description: "Numbered pages." },
);

const offset = object(
  {
    strategy: { const: "offset" },
    offset_param: text("Query parameter for the 0-based offset."),
    limit_param: text("Query parameter for the page size."),
    limit: integer("Page size; the offset grows by this much per page.", 1),
    max_pages: maxPages,
  },
  { required: ["strategy", "offset_param", "limit_param", "limit"], description: "Offset and limit." },
);

/** `pagination:` is tagged by `strategy`; absent means one request per poll. */
export const PAGINATION_SCHEMA: SchemaNode = {
  type: "object",
  description: "How to fetch further pages.",
  discriminator: { propertyName: "strategy" },
  oneOf: [linkHeader, cursor, pageOffset, offset],
};
