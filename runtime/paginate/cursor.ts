import { getPath } from "../extract/path.ts";
import type { CursorPaginationSpec } from "../spec.ts";
import { stopCondition } from "./stop.ts";
import { type PageRequest, type Paginator, requestWith } from "./types.ts";

/**
 * Cursor from the response at `cursorPath`, sent back as `cursorParam` (query for GET, top-level
 * body field for POST). String and numeric cursors are both kept with their type.
 *
 * Every page repeats the first request's parameters with the cursor added (Google APIs require
 * identical parameters across pages; Slack keeps `limit`).
 *
 * The pass goes on while the response carries a next cursor, even after an empty page (Cloud
 * Logging hands out empty pages with a `nextPageToken` while it searches), except that an empty
 * page whose cursor is the one just sent ends it (1Password echoes its cursor when nothing is
 * new). `stop_on_empty_page: true` ends it on any empty page, `has_more` false too.
 *
 * The position (`cursor`) is the next cursor. When the response has none the pass is complete
 * and the position is cleared, so the next poll starts a fresh pass from the committed
 * high-water mark; when it ends for another reason (has_more false, empty page, max_pages)
 * the cursor is kept and the next poll continues from it (1Password's last-page cursor).
 */
export function cursorPagination(spec: CursorPaginationSpec): Paginator {
  return {
    positionKey: "cursor",
    readsBody: true,
    first({ firstUrl, firstBody, saved }) {
      if (saved === undefined || saved === "") {
        return {
          kind: "request",
          request: { url: firstUrl, ...(firstBody !== undefined ? { body: firstBody } : {}) },
        };
      }
      return {
        kind: "request",
        request: requestWith(firstUrl, firstBody, { [spec.cursorParam]: decodeCursor(saved) }),
      };
    },
    next(page) {
      const cursor = readCursor(page.document, spec.cursorPath);
      if (cursor === undefined) return { kind: "stop", reason: "end", position: null };
      const position = encodeCursor(cursor);
      const stop = stopCondition(spec.stop, page);
      if (stop !== undefined) return { kind: "stop", reason: stop, position };
      if (page.eventCount === 0 && sentSame(page.request, spec.cursorParam, cursor))
        return { kind: "stop", reason: "empty_page", position };
      if (page.pageNumber >= spec.maxPages) return { kind: "stop", reason: "max_pages", position };
      const base =
        page.request.body === undefined ? stripParam(page.request.url, spec.cursorParam) : page.request.url;
      const request = requestWith(base, page.request.body, { [spec.cursorParam]: cursor });
      return { kind: "next", request, position };
    },
  };
}

/** Whether `request` carried `cursor` already (a query value is text, so it is compared as text). */
function sentSame(request: PageRequest, param: string, cursor: string | number): boolean {
  const body = request.body;
  if (body === undefined) return new URL(request.url).searchParams.get(param) === String(cursor);
  if (body === null || typeof body !== "object" || Array.isArray(body)) return false;
  return (body as Record<string, unknown>)[param] === cursor;
}

function readCursor(document: unknown, path: string): string | number | undefined {
  const value = getPath(document, path);
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return undefined;
}

/**
 * Stored form: strings as they are (compatible with `helr state set … cursor xyz`), numbers as
 * digits; a string that would read back as a number or a quoted string is stored JSON-quoted.
 */
export function encodeCursor(cursor: string | number): string {
  if (typeof cursor === "number") return String(cursor);
  return /^-?\d/.test(cursor) || cursor.startsWith('"') ? JSON.stringify(cursor) : cursor;
}

/** Inverse of {@link encodeCursor}. */
export function decodeCursor(stored: string): string | number {
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(stored)) return Number(stored);
  if (stored.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(stored);
      if (typeof value === "string") return value;
    } catch {
      // Not JSON: a raw cursor that happens to start with a quote.
    }
  }
  return stored;
}

function stripParam(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete(name);
  return parsed.href;
}
