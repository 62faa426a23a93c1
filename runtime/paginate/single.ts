import type { SinglePaginationSpec } from "../spec.ts";
import type { Paginator } from "./types.ts";

/** No pagination: one request per poll, nothing to resume from. */
export function singleRequest(_spec: SinglePaginationSpec): Paginator {
  return {
    positionKey: undefined,
    readsBody: false,
    first({ firstUrl, firstBody }) {
      return {
        kind: "request",
        request: { url: firstUrl, ...(firstBody !== undefined ? { body: firstBody } : {}) },
      };
    },
    next() {
      return { kind: "stop", reason: "single" };
    },
  };
}
