import type { ReceivedPage } from "../extract/response.ts";
import type { PageRequest, Step } from "../paginate/types.ts";
import type { StateChanges } from "./checkpoint.ts";
import type { PageLines } from "./page-lines.ts";
import type { Pass } from "./pass.ts";

/** A page's events (as lines to write) and its parsed document; undefined: skipped as unparsable. */
export type Page = { readonly lines: PageLines; readonly document: unknown } | undefined;

/**
 * The replaceable stages of a pass. The declarative ones come from the source's configuration;
 * a hook script replaces each stage it defines a hook for (runtime/engine/hook-stages.ts) and
 * leaves the others declarative, so the poll loop has one path.
 */
export interface PassStages {
  /** Before the pass's first request (getAuth). */
  begin(): Promise<void>;
  /** The request as it goes out (buildRequest and getAuth's additions). */
  prepare(request: PageRequest, pageNumber: number): Promise<PageRequest>;
  /** extract: the page's events. */
  extract(received: ReceivedPage, request: PageRequest): Promise<Page>;
  /** paginate: the next step after the page. */
  paginate(request: PageRequest, received: ReceivedPage, page: Page): Promise<Step>;
  /** A page's lines were written (commitState collects them). */
  written(lines: PageLines): void;
  /** State changes to commit with the pass's last checkpoint (commitState). */
  finish(): Promise<StateChanges>;
  /** Whether pages should collect what they wrote (for {@link written}). */
  readonly collects: boolean;
}

/** The configuration's own stages. */
export function declarativeStages(pass: Pass, extract: (received: ReceivedPage) => Page): PassStages {
  return {
    collects: false,
    begin: async () => undefined,
    prepare: async (request) => request,
    extract: async (received) => extract(received),
    paginate: async (request, received, page) => pass.next(request, received.response, page),
    written: () => undefined,
    finish: async () => ({}),
  };
}
