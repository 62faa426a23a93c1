import { getPath } from "../extract/path.ts";
import type { CursorPaginationSpec } from "../spec.ts";
import { stopCondition } from "./stop.ts";
import { type Paginator, requestWith } from "./types.ts";

/**
 * Cursor from the response at `cursorPath`, sent back as `cursorParam` (query for GET, top-level
 * body field for POST). String and numeric cursors are both kept with their type.
 *
 * Every page repeats the first request's parameters with the cursor added (Google APIs require
 * identical parameters across pages; Slack keeps `limit`).
 *
 * The position (`cursor`) is the next cursor. When the response has none the pass is complete
 * and the position is cleared, so the next poll starts a fresh pass from the committed
 * high-water mark; when it ends for another reason (has_more false, empty page, max_pages)
 * the cursor is kept and the next poll continues from it (1Password's last-page cursor).
 */
export function cursorPagination(spec: CursorPaginationSpec): Paginator {
  return {
    positionKey: "cursor",
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
      if (page.seen.has(position)) return { kind: "stop", reason: "loop", position };
      if (page.pageNumber >= spec.maxPages) return { kind: "stop", reason: "max_pages", position };
      const base =
        page.request.body === undefined ? stripParam(page.request.url, spec.cursorParam) : page.request.url;
      const request = requestWith(base, page.request.body, { [spec.cursorParam]: cursor });
      return { kind: "next", request, position };
    },
  };
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
