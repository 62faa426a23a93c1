import type { BoundSource } from "../app.ts";
import { ParseError } from "../extract/events.ts";
import type { HttpResponse } from "../http/client.ts";
import { redactUrl } from "../http/redact.ts";
import { COMPLETE_STOPS, type PageRequest, type StopReason } from "../paginate/types.ts";
import { firstInput, isCursorExpiry } from "./first-request.ts";
import { emptyPage, type OpenPage, openPage, type ReceivedPage, receivePage } from "./page.ts";
import { PassState } from "./pass-state.ts";
import { resolveRequest } from "./resolve.ts";
import { sendPage } from "./send.ts";
import { sourceContext } from "./source-context.ts";
import type { PollDeps, PollSummary } from "./types.ts";

export type { PollDeps, PollSummary } from "./types.ts";

/**
 * One pass over a source: request pages until the paginator stops, write each page's lines,
 * and only after `sink.flush()` checkpoint its position. A crash may repeat a page, never lose one.
 */
export async function pollSource(source: BoundSource, deps: PollDeps): Promise<PollSummary> {
  const { spec, paginator } = source;
  const context = sourceContext(source, deps);
  const summary: PollSummary = {
    sourceId: spec.id,
    requests: 0,
    pages: 0,
    received: 0,
    events: 0,
    filtered: 0,
    duplicates: 0,
    bytes: 0,
  };
  const resolved = resolveRequest(spec, deps.env);
  const state = await deps.store.read(spec.id);
  context.loadDedupe(state);
  let pass = new PassState(spec, paginator, state);
  if (
    pass.saved !== undefined &&
    paginator.positionKey === "next_url" &&
    !sameOrigin(pass.saved, resolved.url)
  ) {
    // The configured host changed (OKTA_DOMAIN, GITHUB_API_HOST…): a stored link would keep
    // polling the old one. Start a fresh pass against the configured host instead.
    deps.log.warn(
      { sourceId: spec.id, stored: redactUrl(pass.saved), configured: redactUrl(resolved.url) },
      "stored next link points at another host than the configured url; starting a fresh pass",
    );
    pass = new PassState(spec, paginator, { ...state, next_url: "" });
  }
  let first = paginator.first(firstInput(resolved, pass, spec, deps.now()));
  let resumed = pass.saved !== undefined;
  const pending: Record<string, string | null> = {};
  const seen = new Set<string>();
  let request: PageRequest | undefined = first.kind === "request" ? first.request : undefined;
  let stop: StopReason | undefined = first.kind === "skip" ? first.reason : undefined;
  // The next page's request goes out before this page is rendered, and a big response's byte
  // scan starts on the scan thread as soon as it arrived. Only the fetch and the scan run ahead:
  // filters and dedupe (which update the window) wait until the page is going to be written.
  let prefetched: Promise<ReceivedPage> | undefined;
  const receive = (response: HttpResponse) => receivePage(response, spec);
  // The previous page's checkpoint (flush, then commit) runs while this page is fetched, parsed
  // and its first block rendered; this page's first line is written only once it is done, so a
  // crash still repeats at most one page. A failed checkpoint fails the pass there.
  let committing: Promise<void> = Promise.resolve();
  try {
    for (let pageNumber = 1; request !== undefined; pageNumber++) {
      seen.add(request.url + (request.body !== undefined ? JSON.stringify(request.body) : ""));
      let response: Awaited<ReturnType<typeof sendPage>>;
      let page: OpenPage;
      try {
        const received = await (prefetched ??
          sendPage(source, context, resolved, request, deps).then(receive));
        prefetched = undefined;
        response = received.response;
        page = parsePage(received, context, deps, spec.policy.onParseError);
      } catch (error) {
        if (!(resumed && pageNumber === 1 && spec.policy.onCursorError === "reset" && isCursorExpiry(error)))
          throw error;
        deps.log.warn(
          { sourceId: spec.id, cause: (error as Error).message },
          "stored position rejected as expired; starting a fresh pass from the committed high-water mark",
        );
        await committing;
        await commit(source, deps, { [paginator.positionKey ?? "position"]: null });
        pass = new PassState(spec, paginator, {
          ...state,
          ...(paginator.positionKey ? { [paginator.positionKey]: "" } : {}),
        });
        first = paginator.first(firstInput(resolved, pass, spec, deps.now()));
        resumed = false;
        request = first.kind === "request" ? first.request : undefined;
        pageNumber = 0;
        continue;
      }
      summary.requests++;
      summary.pages++;
      summary.bytes += response.body.length;
      const view = {
        request,
        status: response.status,
        headers: response.headers,
        document: page.document,
        eventCount: page.extracted,
        pageNumber,
        seen,
        now: deps.now(),
      };
      let step =
        page.document === undefined && paginator.positionKey === "cursor"
          ? { kind: "stop" as const, reason: "unparsable_page" as const }
          : paginator.next(view);
      if (
        step.kind === "next" &&
        spec.limits.maxBytes !== undefined &&
        summary.bytes >= spec.limits.maxBytes
      ) {
        step = { kind: "stop", reason: "max_bytes", position: step.position };
      }
      if (step.kind === "next" && deps.stopping())
        step = { kind: "stop", reason: "shutdown", position: step.position };
      if (step.kind === "next") {
        prefetched = sendPage(source, context, resolved, step.request, deps).then(receive);
        prefetched.catch(() => undefined);
      }
      await writePage(page, spec.id, response.url, deps.sink, committing);
      tally(summary, page);
      pass.observe(page.mark);
      Object.assign(pending, pass.progress(step.position), context.dedupeChanges(page.newIds));
      if (step.kind === "stop") {
        stop = step.reason;
        if (COMPLETE_STOPS.has(step.reason)) Object.assign(pending, pass.complete());
      }
      if (spec.policy.checkpoint === "per_page" || step.kind === "stop") {
        committing = checkpoint(source, deps, taken(pending));
        committing.catch(() => undefined);
      }
      request = step.kind === "next" ? step.request : undefined;
    }
  } finally {
    // Nothing outlives the pass: a checkpoint still running when it ends (or fails) is waited for.
    await committing.catch(() => undefined);
  }
  await committing;
  if (stop !== undefined && COMPLETE_STOPS.has(stop) && summary.pages === 0)
    await checkpoint(source, deps, { ...pass.complete() });
  if (stop !== undefined) summary.stopReason = stop;
  summary.position = pass.position ?? null;
  const mark = pass.complete()[spec.watermark?.stateKey ?? ""];
  if (typeof mark === "string") summary.watermark = mark;
  return summary;
}

function parsePage(
  { response, scanned }: ReceivedPage,
  context: ReturnType<typeof sourceContext>,
  deps: PollDeps,
  onParseError: "skip" | "fail",
): OpenPage {
  const id = context.spec.id;
  try {
    const page = openPage(response, context.page, "bytes", scanned);
    for (const warning of page.warnings)
      deps.log.warn({ sourceId: id, url: redactUrl(response.url) }, warning);
    return page;
  } catch (error) {
    if (!(error instanceof ParseError)) throw prefixed(id, response.url, error);
    if (onParseError === "fail") throw prefixed(id, response.url, error);
    deps.log.warn(
      { sourceId: id, url: redactUrl(response.url) },
      `${error.message}; page skipped (on_parse_error: skip)`,
    );
    return emptyPage(context.page);
  }
}

/**
 * Renders the page block by block, each written (and accepted by the sink) before the next is
 * rendered, so a huge page holds one block of output at a time. The first block is rendered
 * while `previousCheckpoint` runs and written only once it succeeded (its failure is thrown).
 * A rendering failure (max_line_bytes: fail) names the source and page; a sink failure stays as
 * the sink worded it.
 */
async function writePage(
  page: OpenPage,
  sourceId: string,
  url: string,
  sink: PollDeps["sink"],
  previousCheckpoint: Promise<void>,
): Promise<void> {
  const blocks = page.blocks();
  for (let first = true; ; first = false) {
    let next: IteratorResult<Buffer>;
    try {
      next = blocks.next();
    } catch (error) {
      throw prefixed(sourceId, url, error);
    }
    if (first) await previousCheckpoint;
    if (next.done) return;
    await sink.write(next.value);
    // A turn of the event loop between blocks: the next page's response is read meanwhile and
    // its scan starts on the scan thread while this page is still being rendered.
    await new Promise(setImmediate);
  }
}

function prefixed(sourceId: string, url: string, error: unknown): Error {
  const err = error as Error & { code?: string };
  const wrapped = new Error(`source "${sourceId}": ${redactUrl(url)}: ${err.message}`);
  return Object.assign(wrapped, { code: err.code ?? "HELR_PARSE" });
}

function tally(summary: PollSummary, result: OpenPage): void {
  summary.received += result.extracted;
  summary.events += result.emitted;
  summary.filtered += result.filtered;
  summary.duplicates += result.duplicates;
}

/** Flushes the sink, then commits; the flush is what makes "written before checkpointed" true. */
async function checkpoint(
  source: BoundSource,
  deps: PollDeps,
  changes: Readonly<Record<string, string | null>>,
): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await deps.sink.flush();
  await commit(source, deps, changes);
}

/** A copy of `pending`, which is emptied: what one checkpoint commits. */
function taken(pending: Record<string, string | null>): Record<string, string | null> {
  const changes = { ...pending };
  for (const key of Object.keys(pending)) delete pending[key];
  return changes;
}

async function commit(
  source: BoundSource,
  deps: PollDeps,
  changes: Record<string, string | null>,
): Promise<void> {
  try {
    await deps.store.commit(source.spec.id, changes);
  } catch (error) {
    if (source.spec.policy.onStateWriteError !== "skip_checkpoint") throw error;
    deps.log.warn(
      { sourceId: source.spec.id, cause: (error as Error).message },
      "state write failed; continuing without this checkpoint (on_state_write_error: skip_checkpoint)",
    );
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
