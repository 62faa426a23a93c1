import type { BoundSource } from "../app.ts";
import { HelrError } from "../errors/helr-error.ts";
import type { HttpResponse } from "../http/client.ts";
import { redactUrl, withoutSecretParams } from "../http/redact.ts";
import { COMPLETE_STOPS, type PageRequest, type Step, type StopReason } from "../paginate/types.ts";
import type { StateChanges } from "./checkpoint.ts";
import { firstInput, isCursorExpiry } from "./first-request.ts";
import type { PageLines } from "./page-lines.ts";
import { PassState } from "./pass-state.ts";
import type { ResolvedRequest } from "./resolve.ts";
import type { PollDeps, PollSummary } from "./types.ts";

/** Pages a getNextPage hook may chain in one pass when the source has no `pagination:` (the Rust Helr's fixed limit). */
export const HOOK_MAX_PAGES = 100;

/** The next link or cursor pointed at another origin than the source's URL; nothing was sent there. */
export class ForeignOriginError extends HelrError {
  constructor(sourceId: string, origin: string, configured: string) {
    super(
      "HELR_FOREIGN_ORIGIN",
      `source "${sourceId}": the API's next page is on ${origin}, not on the source's origin ${configured}; ` +
        "credentials go only to the configured origin, so the pass ended (change the source's url if the API moved)",
    );
  }
}

/**
 * One pass over a source: where it starts, what each page changes, and when it ends. The
 * paginator decides the strategy's next step; the pass adds what every strategy shares:
 * - the loop guard: a next request or position already used in this pass ends it (`loop`);
 * - the origin rule: a next page on another origin (scheme, host, port) than the source's URL is
 *   never requested nor stored; the pass ends with `HELR_FOREIGN_ORIGIN` after the page is written;
 * - `max_bytes`, a requested shutdown, and an unparsable page (skip: the position stays at it);
 * - a stored position the API rejects as expired (`on_cursor_error: reset`) starts over from the
 *   committed high-water mark, once, on the first page.
 */
export class Pass {
  readonly summary: PollSummary;
  state: PassState;
  /** Set when the pass must fail once its last page is checkpointed. */
  failure: Error | undefined;
  #pageNumber = 0;
  #resumed: boolean;
  readonly #seen = new Set<string>();
  readonly #pending: StateChanges = {};
  readonly #origin: string;

  constructor(
    private readonly source: BoundSource,
    private readonly resolved: ResolvedRequest,
    stored: Readonly<Record<string, string>>,
    private readonly deps: PollDeps,
  ) {
    const { spec, paginator } = source;
    this.summary = emptySummary(spec.id);
    this.#origin = new URL(resolved.url).origin;
    this.state = new PassState(spec, paginator, stored);
    if (
      this.state.saved !== undefined &&
      paginator.positionKey === "next_url" &&
      !this.#ours(this.state.saved)
    ) {
      // The configured host changed (OKTA_DOMAIN, GITHUB_API_HOST…): a stored link would keep
      // polling the old one. Start a fresh pass against the configured host instead.
      deps.log.warn(
        { sourceId: spec.id, stored: redactUrl(this.state.saved), configured: redactUrl(resolved.url) },
        "stored next link points at another host than the configured url; starting a fresh pass",
      );
      this.state = this.state.withoutPosition();
    }
    this.#resumed = this.state.saved !== undefined;
  }

  /** The first request of the pass, or undefined when there is nothing to ask (caught up). */
  first(): PageRequest | undefined {
    const first = this.source.paginator.first(
      firstInput(this.resolved, this.state, this.source.spec, this.deps.now()),
    );
    if (first.kind === "skip") {
      this.summary.stopReason = first.reason;
      return undefined;
    }
    this.#remember(first.request, undefined);
    return first.request;
  }

  /** Counts a page as requested; its 1-based number in the pass. */
  begin(): number {
    return ++this.#pageNumber;
  }

  /**
   * Whether `error` (from the pass's first page) is the API rejecting the stored position as
   * expired, so the pass should start over from the committed mark (`on_cursor_error: reset`).
   */
  shouldRestart(error: unknown): boolean {
    const { spec } = this.source;
    return (
      this.#resumed &&
      this.#pageNumber === 1 &&
      spec.policy.onCursorError === "reset" &&
      isCursorExpiry(error)
    );
  }

  /** Starts over without the stored position; returns the change that clears it and the new first request. */
  restart(): { readonly clear: StateChanges; readonly request: PageRequest | undefined } {
    const clear = this.state.clearPosition();
    this.state = this.state.withoutPosition();
    this.#resumed = false;
    this.#pageNumber = 0;
    this.#seen.clear();
    return { clear, request: this.first() };
  }

  /**
   * The step after a page: the paginator's, then the shared rules. `page` is undefined for a
   * page skipped as unparsable (`on_parse_error: skip`): the pass ends there and keeps the
   * position that points at it, so the next poll reads it again.
   */
  next(
    request: PageRequest,
    response: HttpResponse,
    page: { readonly lines: PageLines; readonly document: unknown } | undefined,
  ): Step {
    this.#count(response);
    if (page === undefined) return { kind: "stop", reason: "unparsable_page" };
    const step = this.source.paginator.next({
      request,
      status: response.status,
      headers: response.headers,
      document: page.document,
      eventCount: page.lines.extracted,
      pageNumber: this.#pageNumber,
      now: this.deps.now(),
    });
    return this.#shared(step);
  }

  /**
   * The step a getNextPage hook chose after a page, held to the same shared rules (origin, loop
   * guard, max_bytes, shutdown) and to the strategy's `max_pages`.
   */
  nextFromHook(response: HttpResponse, step: Step): Step {
    this.#count(response);
    const pagination = this.source.spec.pagination;
    const maxPages = "maxPages" in pagination ? pagination.maxPages : HOOK_MAX_PAGES;
    if (step.kind === "next" && this.#pageNumber >= maxPages) return { kind: "stop", reason: "max_pages" };
    return this.#shared(step);
  }

  #count(response: HttpResponse): void {
    const s = this.summary;
    s.requests++;
    s.pages++;
    s.bytes += response.body.length;
  }

  #shared(step: Step): Step {
    if (step.kind !== "next") return step;
    const { spec } = this.source;
    const origin = originOf(step.request.url);
    if (origin !== this.#origin) {
      this.failure = new ForeignOriginError(spec.id, origin ?? "an unparsable URL", this.#origin);
      return { kind: "stop", reason: "foreign_origin" };
    }
    if (this.#wasSeen(step.request, step.position)) {
      this.deps.log.warn(
        { sourceId: spec.id, pageNumber: this.#pageNumber },
        "the API handed back a next page already requested in this pass; ending the pass (loop guard)",
      );
      return { kind: "stop", reason: "loop", position: step.position };
    }
    if (spec.limits.maxBytes !== undefined && this.summary.bytes >= spec.limits.maxBytes)
      return { kind: "stop", reason: "max_bytes", position: step.position };
    if (this.deps.stopping()) return { kind: "stop", reason: "shutdown", position: step.position };
    this.#remember(step.request, step.position);
    return step;
  }

  /** Adds a written page's events to the tallies and its changes to what the next checkpoint commits. */
  record(lines: PageLines, step: Step): void {
    const s = this.summary;
    s.received += lines.extracted;
    s.events += lines.emitted;
    s.filtered += lines.filtered;
    s.duplicates += lines.duplicates;
    this.state.observe(lines.mark);
    const position = typeof step.position === "string" ? withoutSecretParams(step.position) : step.position;
    Object.assign(this.#pending, this.state.progress(position));
    if (step.kind === "stop") {
      s.stopReason = step.reason;
      if (COMPLETE_STOPS.has(step.reason)) Object.assign(this.#pending, this.state.complete());
    }
  }

  /** Adds changes that ride on the next checkpoint (dedupe ids, hook state). */
  add(changes: StateChanges): void {
    Object.assign(this.#pending, changes);
  }

  /** The changes collected since the last checkpoint (and forgets them). */
  take(): StateChanges {
    const changes = { ...this.#pending };
    for (const key of Object.keys(this.#pending)) delete this.#pending[key];
    return changes;
  }

  /** A pass that ended complete without a page (caught up): its mark still becomes the committed one. */
  completedWithoutPages(): boolean {
    const reason = this.summary.stopReason;
    return reason !== undefined && COMPLETE_STOPS.has(reason as StopReason) && this.summary.pages === 0;
  }

  /** The summary, with the position and mark the pass leaves behind. */
  finish(): PollSummary {
    this.summary.position = this.state.position ?? null;
    const mark = this.state.complete()[this.source.spec.watermark?.stateKey ?? ""];
    if (typeof mark === "string") this.summary.watermark = mark;
    return this.summary;
  }

  #ours(url: string): boolean {
    return originOf(url) === this.#origin;
  }

  #remember(request: PageRequest, position: string | null | undefined): void {
    this.#seen.add(requestKey(request));
    if (typeof position === "string") this.#seen.add(`position:${position}`);
  }

  #wasSeen(request: PageRequest, position: string | null | undefined): boolean {
    if (this.#seen.has(requestKey(request))) return true;
    return typeof position === "string" && this.#seen.has(`position:${position}`);
  }
}

function requestKey(request: PageRequest): string {
  return `request:${request.url}${request.body !== undefined ? ` ${JSON.stringify(request.body)}` : ""}`;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function emptySummary(sourceId: string): PollSummary {
  return { sourceId, requests: 0, pages: 0, received: 0, events: 0, filtered: 0, duplicates: 0, bytes: 0 };
}
