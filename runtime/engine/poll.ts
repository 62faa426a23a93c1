import type { BoundSource } from "../app.ts";
import type { Env } from "../config/env.ts";
import { extractEvents } from "../extract/events.ts";
import { getPath } from "../extract/path.ts";
import { eventTime } from "../extract/timestamp.ts";
import type { HttpResponse, HttpSend } from "../http/client.ts";
import { HttpStatusError } from "../http/errors.ts";
import { redactUrl, redactValues } from "../http/redact.ts";
import type { Logger } from "../log.ts";
import { envelopeLine } from "../output/envelope.ts";
import type { Sink } from "../output/sink.ts";
import type { PageRequest, StopReason } from "../paginate/types.ts";
import type { StateStore } from "../state/store.ts";
import { resolveRequest } from "./resolve.ts";

export interface PollDeps {
  readonly store: StateStore;
  readonly sink: Sink;
  readonly http: HttpSend;
  readonly env: Env;
  readonly log: Logger;
  readonly version: string;
  readonly now: () => Date;
  /** Set on SIGTERM/SIGINT: the current page finishes and is checkpointed, then the pass ends. */
  readonly stopping: () => boolean;
}

export interface PollSummary {
  readonly sourceId: string;
  requests: number;
  pages: number;
  events: number;
  bytes: number;
  stopReason?: StopReason | "shutdown";
  /** The position stored for the next poll, if the strategy keeps one. */
  position?: string;
}

const REQUEST_ID_HEADERS = ["x-request-id", "x-okta-request-id", "x-github-request-id", "request-id"];

/**
 * One pass over a source: request pages until the paginator stops, writing each page's
 * lines and only then checkpointing the position (a crash may repeat a page, never lose one).
 */
export async function pollSource(source: BoundSource, deps: PollDeps): Promise<PollSummary> {
  const { spec, paginator } = source;
  const summary: PollSummary = { sourceId: spec.id, requests: 0, pages: 0, events: 0, bytes: 0 };
  const resolved = resolveRequest(spec, deps.env);
  const key = paginator.positionKey;
  const saved = key !== undefined ? (await deps.store.read(spec.id))[key] : undefined;
  let request: PageRequest = paginator.first({ url: resolved.url, queryParams: resolved.queryParams, saved });
  let stored = saved;
  const seen = new Set<string>();
  for (let pageNumber = 1; ; pageNumber++) {
    seen.add(request.url);
    const response = await fetchPage(source, request, resolved.headers, deps);
    summary.requests++;
    summary.pages++;
    summary.bytes += response.body.length;
    const count = await writePage(source, response, deps);
    summary.events += count;
    const step = paginator.next({
      request,
      status: response.status,
      headers: response.headers,
      eventCount: count,
      pageNumber,
      seen,
    });
    if (key !== undefined && step.position !== undefined && step.position !== stored) {
      await deps.sink.flush();
      await deps.store.commit(spec.id, { [key]: step.position });
      stored = step.position;
    }
    if (step.position !== undefined) summary.position = step.position;
    if (step.kind === "stop") {
      if (step.reason === "loop")
        deps.log.warn(
          { sourceId: spec.id, url: redactUrl(request.url) },
          "pagination loop: next link already requested in this pass; stopping",
        );
      summary.stopReason = step.reason;
      return summary;
    }
    if (deps.stopping()) {
      summary.stopReason = "shutdown";
      return summary;
    }
    request = step.request;
  }
}

async function fetchPage(
  source: BoundSource,
  request: PageRequest,
  extraHeaders: Readonly<Record<string, string>>,
  deps: PollDeps,
): Promise<HttpResponse> {
  const { spec } = source;
  const headers: Record<string, string> = {
    "user-agent": `helr/${deps.version}`,
    accept: "application/json",
  };
  for (const [name, value] of Object.entries(extraHeaders)) headers[name.toLowerCase()] = value;
  const secrets = source.auth
    ? await source.auth.authorize(headers, { env: deps.env, sourceId: spec.id })
    : [];
  const started = Date.now();
  let response: HttpResponse;
  try {
    response = await deps.http({
      method: "GET",
      url: request.url,
      headers,
      timeoutMs: spec.timeoutSecs * 1000,
    });
  } catch (error) {
    const message = redactValues((error as Error).message, secrets);
    throw new Error(`source "${spec.id}": GET ${redactUrl(request.url, secrets)} failed: ${message}`);
  }
  deps.log.debug(
    {
      sourceId: spec.id,
      url: redactUrl(request.url, secrets),
      status: response.status,
      ms: Date.now() - started,
    },
    "page received",
  );
  if (response.status < 200 || response.status > 299) {
    const excerpt = redactValues(response.body.toString("utf8", 0, 300).replace(/\s+/g, " ").trim(), secrets);
    throw new HttpStatusError(
      response.status,
      `source "${spec.id}": GET ${redactUrl(request.url, secrets)} returned HTTP ${response.status}${excerpt ? `: ${excerpt}` : ""}`,
    );
  }
  return response;
}

async function writePage(source: BoundSource, response: HttpResponse, deps: PollDeps): Promise<number> {
  const { spec } = source;
  let text = response.body.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let extraction: ReturnType<typeof extractEvents>;
  try {
    extraction = extractEvents(text);
  } catch (error) {
    throw new Error(`source "${spec.id}": ${redactUrl(response.url)}: ${(error as Error).message}`);
  }
  if (extraction.warning)
    deps.log.warn({ sourceId: spec.id, url: redactUrl(response.url) }, extraction.warning);
  if (extraction.events.length === 0) return 0;
  const endpoint = new URL(response.url).pathname;
  const requestId = REQUEST_ID_HEADERS.map((name) => response.headers.get(name)?.[0]).find(
    (v) => v !== undefined,
  );
  let lines = "";
  for (const event of extraction.events) {
    const meta: Record<string, string> = {};
    const id =
      spec.transform.idField !== undefined ? getPath(event.value, spec.transform.idField) : undefined;
    if (typeof id === "string" || typeof id === "number") meta.id = String(id);
    if (requestId !== undefined) meta.request_id = requestId;
    lines += envelopeLine({
      ts: eventTime(event.value, spec.transform.timestampField, deps.now),
      labelKey: spec.labelKey,
      labelValue: spec.labelValue,
      endpoint,
      rawEvent: event.raw,
      meta,
    });
  }
  await deps.sink.write(lines);
  return extraction.events.length;
}
