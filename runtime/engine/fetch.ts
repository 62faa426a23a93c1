import type { BoundSource } from "../app.ts";
import { type ReadPlan, type ReceivedPage, receivePage } from "../extract/response.ts";
import type { PageRequest } from "../paginate/types.ts";
import type { ResolvedRequest } from "./resolve.ts";
import { sendPage } from "./send.ts";
import type { SourceContext } from "./source-context.ts";
import type { PollDeps } from "./types.ts";

/**
 * The fetch stage of a pass: sends a page request and receives its response (a big one's byte
 * scan starts on the scan thread as soon as it arrived). The next page's request goes out
 * before the current page is written ({@link prefetch}); only the fetch and the scan run ahead,
 * never filters or dedupe, which wait until the page is written in order.
 */
export class PageFetcher {
  #ahead: { readonly request: PageRequest; readonly page: Promise<ReceivedPage> } | undefined;
  readonly #plan: ReadPlan;

  constructor(
    private readonly source: BoundSource,
    private readonly context: SourceContext,
    private readonly resolved: ResolvedRequest,
    private readonly deps: PollDeps,
  ) {
    this.#plan = { spec: source.spec, readsBody: source.paginator.readsBody };
  }

  /** How this source's responses are read (byte or text path). */
  get plan(): ReadPlan {
    return this.#plan;
  }

  /** The page for `request`: the one fetched ahead when it was that request, else fetched now. */
  take(request: PageRequest): Promise<ReceivedPage> {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead !== undefined && ahead.request === request) return ahead.page;
    return this.#fetch(request);
  }

  /** Starts fetching `request` while the current page is still being written. */
  prefetch(request: PageRequest): void {
    const page = this.#fetch(request);
    // A failure surfaces when the page is taken; a page never taken (the pass ended) is dropped.
    page.catch(() => undefined);
    this.#ahead = { request, page };
  }

  #fetch(request: PageRequest): Promise<ReceivedPage> {
    return sendPage(this.source, this.context, this.resolved, request, this.deps).then((response) =>
      receivePage(response, this.#plan),
    );
  }
}
