import type { LinkHeaderPaginationSpec } from "../spec.ts";
import { findLink } from "./link-header.ts";
import { stopCondition } from "./stop.ts";
import type { Paginator } from "./types.ts";

/**
 * Follows `Link: <…>; rel="next"`; the position is the next URL (`next_url`).
 *
 * - An empty page that still carries a next link (Okta polling) ends the pass and keeps that
 *   link, so the next poll continues exactly there.
 * - `max_pages` ends the pass and keeps the next link.
 * - No next link: the pass is complete and the last page's URL is kept, so the next poll
 *   re-reads that page (picking up events appended to it) instead of starting from page 1.
 */
export function linkHeaderPagination(spec: LinkHeaderPaginationSpec): Paginator {
  return {
    positionKey: "next_url",
    readsBody: spec.stop.hasMorePath !== undefined,
    first({ firstUrl, firstBody, pageBody, saved }) {
      if (saved !== undefined && saved !== "") {
        return {
          kind: "request",
          request: { url: saved, ...(pageBody !== undefined ? { body: pageBody } : {}) },
        };
      }
      return {
        kind: "request",
        request: { url: firstUrl, ...(firstBody !== undefined ? { body: firstBody } : {}) },
      };
    },
    next(page) {
      const link = findLink(page.headers.get("link") ?? [], spec.rel, page.request.url);
      if (link === undefined) return { kind: "stop", reason: "end", position: page.request.url };
      const stop = stopCondition(spec.stop, page);
      if (stop !== undefined) return { kind: "stop", reason: stop, position: link };
      if (page.pageNumber >= spec.maxPages) return { kind: "stop", reason: "max_pages", position: link };
      const body = page.request.body;
      return {
        kind: "next",
        request: { url: link, ...(body !== undefined ? { body } : {}) },
        position: link,
      };
    },
  };
}
