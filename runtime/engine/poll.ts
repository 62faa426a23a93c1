import type { BoundSource } from "../app.ts";
import { coded, codeOf, HelrError } from "../errors/helr-error.ts";
import { ParseError } from "../extract/events.ts";
import { extractPage, type ReceivedPage } from "../extract/response.ts";
import { redactUrl } from "../http/redact.ts";
import type { PageRequest } from "../paginate/types.ts";
import { Checkpointer } from "./checkpoint.ts";
import { PageFetcher } from "./fetch.ts";
import { hookStages } from "./hook-stages.ts";
import { emptyPage, PageLines } from "./page-lines.ts";
import { Pass } from "./pass.ts";
import { resolveRequest } from "./resolve.ts";
import { type SourceContext, sourceContext } from "./source-context.ts";
import { declarativeStages, type Page, type PassStages } from "./stages.ts";
import type { PollDeps, PollSummary } from "./types.ts";
import { writeLines } from "./write.ts";

export type { PollDeps, PollSummary } from "./types.ts";

/**
 * One pass over a source, as a sequence of stages per page:
 *
 *   fetch (send, receive; the next page is fetched ahead) → extract (the page's events, or a
 *   parse/API error: all or nothing) → paginate (the next step) → write (filters, dedupe,
 *   lines → sink) → checkpoint (sink flush, then an atomic commit of the position, marks and
 *   dedupe ids; overlapped with the next page's fetch).
 *
 * The request, extract and paginate stages, and what the last checkpoint adds, are
 * {@link PassStages}: the configuration's own, or a hook script's where it defines a hook
 * (engine/hook-stages.ts). The loop is the same either way.
 *
 * Output, backpressure and delivery live in the sink (deps.sink), durability and fencing in the
 * store (deps.store), metrics in the observers of deps.events: they plug in without a branch
 * here. A crash may repeat a page, never lose one.
 */
export async function pollSource(source: BoundSource, deps: PollDeps): Promise<PollSummary> {
  const { spec } = source;
  const context = sourceContext(source, deps);
  const resolved = resolveRequest(spec, deps.env);
  const stored = await deps.store.read(spec.id);
  context.startPoll(stored, deps.leaseToken);
  const pass = new Pass(source, resolved, stored, deps);
  const fetcher = new PageFetcher(source, context, resolved, deps);
  const checkpoints = new Checkpointer(source, deps);
  const declarative = declarativeStages(pass, (received) => readPage(received, fetcher, context, deps));
  const stages = await hookStages(source, context, resolved, pass, deps, declarative);
  await stages.begin();
  let request = await prepared(stages, pass.first(), 1);
  try {
    while (request !== undefined) {
      const pageNumber = pass.begin();
      let received: ReceivedPage;
      let page: Page;
      try {
        received = await fetcher.take(request);
        page = await stages.extract(received, request);
      } catch (error) {
        if (deps.stopping() && codeOf(error) === "HELR_HTTP_ABORTED") {
          // A shutdown cut a wait or a request short: the pass ends at its last checkpoint.
          pass.summary.stopReason = "shutdown";
          break;
        }
        if (!(pageNumber === 1 && pass.shouldRestart(error))) throw error;
        request = await prepared(stages, await restart(pass, checkpoints, deps, error), 1);
        continue;
      }
      const { response } = received;
      const step = await stages.paginate(request, received, page);
      const next = step.kind === "next" ? await stages.prepare(step.request, pageNumber + 1) : undefined;
      if (next !== undefined) fetcher.prefetch(next);
      const lines = page?.lines ?? emptyPage(context.page);
      await writeLines(lines, source, response.url, deps, checkpoints.settled());
      publishPage(deps, spec.id, response.body.length, lines);
      stages.written(lines);
      pass.record(lines, step);
      pass.add(context.dedupeChanges(lines.newIds));
      if (step.kind === "stop") pass.add(await stages.finish());
      if (spec.policy.checkpoint === "per_page" || step.kind === "stop") checkpoints.start(pass.take());
      request = next;
    }
    await checkpoints.settled();
  } finally {
    // Nothing outlives the pass: a checkpoint still running when it ends (or fails) is waited for.
    await checkpoints.drain();
  }
  if (pass.completedWithoutPages()) {
    checkpoints.start(pass.state.complete());
    await checkpoints.settled();
  }
  if (pass.failure) throw pass.failure;
  return pass.finish();
}

/**
 * The extract stage: the page's events, or undefined for a page skipped as unparsable
 * (`on_parse_error: skip` — none of its events is written, and the pass ends at it).
 */
function readPage(
  received: ReceivedPage,
  fetcher: PageFetcher,
  context: SourceContext,
  deps: PollDeps,
): Page {
  const { spec } = context;
  const { response } = received;
  try {
    const extraction = extractPage(received, fetcher.plan);
    if (extraction.warning !== undefined)
      deps.log.warn({ sourceId: spec.id, url: redactUrl(response.url) }, extraction.warning);
    return { lines: new PageLines(context.page, extraction, response), document: extraction.document };
  } catch (error) {
    const failure = pageError(spec.id, response.url, error);
    if (!(error instanceof ParseError) || spec.policy.onParseError === "fail") throw failure;
    deps.log.warn(
      { sourceId: spec.id, url: redactUrl(response.url), code: failure.code },
      `${(error as Error).message}; page skipped and the pass ends here (on_parse_error: skip)`,
    );
    return undefined;
  }
}

/** The stored position was rejected as expired: clear it, start over from the committed mark. */
async function restart(
  pass: Pass,
  checkpoints: Checkpointer,
  deps: PollDeps,
  error: unknown,
): Promise<PageRequest | undefined> {
  deps.log.warn(
    { sourceId: pass.summary.sourceId, cause: (error as Error).message },
    "stored position rejected as expired; starting a fresh pass from the committed high-water mark",
  );
  await checkpoints.settled();
  const { clear, request } = pass.restart();
  await checkpoints.commit(clear);
  return request;
}

/** The pass's request as it goes out (the prepare stage), or undefined when there is none. */
async function prepared(
  stages: PassStages,
  request: PageRequest | undefined,
  pageNumber: number,
): Promise<PageRequest | undefined> {
  return request === undefined ? undefined : stages.prepare(request, pageNumber);
}

function publishPage(deps: PollDeps, sourceId: string, bytes: number, lines: PageLines): void {
  deps.events.publish({ type: "page", sourceId, bytes, received: lines.extracted });
  const newestEventMs = lines.newestMs;
  deps.events.publish({
    type: "written",
    sourceId,
    emitted: lines.emitted,
    filtered: lines.filtered,
    duplicates: lines.duplicates,
    oversized: lines.oversized,
    ...(newestEventMs !== undefined ? { newestEventMs } : {}),
  });
}

/** A page-level failure, naming the source and the (redacted) URL, with its code kept. */
function pageError(sourceId: string, url: string, error: unknown): HelrError {
  const err = coded(error);
  return new HelrError(err.code, `source "${sourceId}": ${redactUrl(url)}: ${err.message}`, { cause: error });
}
