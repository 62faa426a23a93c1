import type { SinglePaginationSpec } from "../spec.ts";
import { type Paginator, withQuery } from "./types.ts";

/** No pagination: one request per poll, nothing to resume from. */
export function singleRequest(_spec: SinglePaginationSpec): Paginator {
  return {
    positionKey: undefined,
    first({ url, queryParams }) {
      return { url: withQuery(url, queryParams) };
    },
    next() {
      return { kind: "stop", reason: "single" };
    },
  };
}
