import { type ErrorCode, errorEntry } from "../errors/codes.ts";
import type { HttpRequest, HttpResponse, HttpSend } from "../http/client.ts";
import { HttpError } from "../http/errors.ts";
import { redactUrl, redactValues } from "../http/redact.ts";
import type { SourceSpec } from "../spec.ts";
import type { Budget } from "./budget.ts";
import type { BreakerOutcome } from "./circuit-breaker.ts";
import { describeTried, RetriedStatusError, RetriedTransportError, seconds } from "./errors.ts";
import type { ResilienceEvent, ResilienceLog, RetryCause, ThrottleCause } from "./events.ts";
import { adaptiveWait, readRateLimit } from "./rate-limit-headers.ts";
import {
  type AttemptResult,
  classifyStatus,
  decideRetry,
  isBreakerFailure,
  type RetryDecision,
} from "./retry-policy.ts";

/** The per-source state the attempt loop reads and updates. */
export interface AttemptContext {
  readonly spec: SourceSpec;
  readonly base: HttpSend;
  readonly deps: {
    readonly now: () => number;
    readonly random: () => number;
    readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    readonly log: ResilienceLog;
    readonly onEvent?: (event: ResilienceEvent) => void;
  };
  readonly stats: { attempts: number; retries: number; rateLimited: number; throttledMs: number };
  readonly budget: Budget;
  /** When this source's previous logical request ended (for the page delay). */
  lastEndMs: number | undefined;
}

/** How a logical request ended, and what the breaker should record. */
export type LogicalResult =
  | { readonly response: HttpResponse; readonly outcome: BreakerOutcome }
  | { readonly error: Error; readonly outcome: BreakerOutcome };

type Attempt = { readonly response: HttpResponse } | { readonly error: unknown; readonly code: ErrorCode };

/** Sends `req` until it succeeds, is not retryable, or attempts run out; never throws for those. */
export async function runAttempts(
  ctx: AttemptContext,
  req: HttpRequest,
  signal: AbortSignal,
): Promise<LogicalResult> {
  const started = ctx.deps.now();
  for (let attempt = 1; ; attempt++) {
    await gate(ctx, req, signal, attempt === 1);
    if (signal.aborted) return { error: aborted(ctx, req), outcome: "cancel" };
    ctx.stats.attempts++;
    const sent = await sendOnce(ctx, req, signal);
    if ("error" in sent && signal.aborted) return { error: aborted(ctx, req), outcome: "cancel" };
    const result: AttemptResult =
      "response" in sent
        ? { kind: "status", status: sent.response.status, headers: sent.response.headers }
        : { kind: "error", code: sent.code };
    if ("response" in sent) observe(ctx, sent.response);
    const nowMs = ctx.deps.now();
    const decision = decideRetry({
      attempt,
      result,
      spec: ctx.spec.resilience,
      nowMs,
      random: ctx.deps.random,
    });
    if (decision.action !== "retry") return conclude(ctx, req, sent, decision, attempt, nowMs - started);
    ctx.stats.retries++;
    announce(ctx, req, sent, decision, attempt + 1);
    // Header waits block the shared budget (in `observe`); the next gate waits them out.
    if (decision.basis === "backoff") await pause(ctx, req, decision.delayMs, signal);
  }
}

async function sendOnce(ctx: AttemptContext, req: HttpRequest, signal: AbortSignal): Promise<Attempt> {
  try {
    return { response: await ctx.base(req.signal ? req : { ...req, signal }) };
  } catch (error) {
    return { error, code: error instanceof HttpError ? error.code : "HELR_INTERNAL" };
  }
}

/** Waits for the rate budget (header blocks, token bucket) and, before a first attempt, the page delay. */
async function gate(
  ctx: AttemptContext,
  req: HttpRequest,
  signal: AbortSignal,
  first: boolean,
): Promise<void> {
  const now = ctx.deps.now();
  const blockMs = ctx.budget.blockedUntil() - now;
  const budgetMs = ctx.budget.reserve(now);
  const pageDelayMs =
    first && ctx.lastEndMs !== undefined
      ? ctx.lastEndMs + ctx.spec.resilience.rateLimit.pageDelaySecs * 1000 - now
      : 0;
  const waitMs = Math.max(budgetMs, pageDelayMs);
  if (waitMs <= 0) return;
  const cause: ThrottleCause =
    pageDelayMs >= budgetMs ? "page_delay" : blockMs >= budgetMs ? "rate_limit_block" : "token_bucket";
  ctx.stats.throttledMs += waitMs;
  ctx.deps.onEvent?.({ type: "throttle", sourceId: ctx.spec.id, waitMs, cause });
  ctx.deps.log.debug(
    { sourceId: ctx.spec.id, waitMs: Math.round(waitMs), cause, budget: ctx.budget.key },
    `waiting ${seconds(waitMs)} before ${req.method} (${cause.replaceAll("_", " ")})`,
  );
  await pause(ctx, req, waitMs, signal);
}

/** A wait before an attempt; a shutdown (`waitSignal`) or abort ends it at once. */
async function pause(ctx: AttemptContext, req: HttpRequest, ms: number, signal: AbortSignal): Promise<void> {
  const waits = req.waitSignal ?? signal;
  await ctx.deps.sleep(ms, waits);
  if (waits.aborted || signal.aborted) throw aborted(ctx, req);
}

/** The rate-limit layer sees every response's headers first: 429 waits and adaptive pauses block the budget. */
function observe(ctx: AttemptContext, response: HttpResponse): void {
  const { rateLimit } = ctx.spec.resilience;
  const now = ctx.deps.now();
  const verdict = classifyStatus(response.status, response.headers, ctx.spec.resilience, now);
  if (verdict.rateLimited) {
    ctx.stats.rateLimited++;
    if (verdict.wait) ctx.budget.blockUntil(now + verdict.wait.waitMs);
  }
  const adaptive = adaptiveWait(response.headers, rateLimit, now);
  if (!adaptive || !ctx.budget.blockUntil(now + adaptive.waitMs)) return;
  const remaining = readRateLimit(response.headers, rateLimit.headers, now).remaining ?? 0;
  ctx.deps.onEvent?.({ type: "adaptive", sourceId: ctx.spec.id, waitMs: adaptive.waitMs, remaining });
  ctx.deps.log.info(
    { sourceId: ctx.spec.id, remaining, waitMs: Math.round(adaptive.waitMs), capped: adaptive.capped },
    `rate-limit budget low (remaining ${remaining} ≤ ${rateLimit.adaptiveRemaining}): pausing requests ${seconds(adaptive.waitMs)} until the reset${adaptive.capped ? " (capped by max_wait_secs)" : ""}`,
  );
}

function announce(
  ctx: AttemptContext,
  req: HttpRequest,
  sent: Attempt,
  decision: Extract<RetryDecision, { action: "retry" }>,
  next: number,
): void {
  const reason = reasonOf(ctx, req, sent);
  const of = `attempt ${next} of ${ctx.spec.resilience.retries.maxAttempts}`;
  const wait = decision.wait;
  const header = wait?.from === "retry-after" ? "Retry-After" : "the rate-limit reset header";
  const message = !wait
    ? `${reason}: retrying in ${seconds(decision.delayMs)} (${of})`
    : wait.capped
      ? `${reason}: ${header} asks for ${seconds(wait.requestedMs)}; waiting max_wait_secs ${seconds(wait.waitMs)} (${of})`
      : `${reason}: waiting ${seconds(wait.waitMs)} as ${header} asks (${of})`;
  ctx.deps.onEvent?.({
    type: "retry",
    sourceId: ctx.spec.id,
    attempt: next,
    delayMs: decision.delayMs,
    basis: decision.basis,
    reason,
    cause: causeOf(sent),
  });
  ctx.deps.log.warn(
    {
      sourceId: ctx.spec.id,
      url: redactUrl(req.url, req.secrets ?? []),
      attempt: next,
      maxAttempts: ctx.spec.resilience.retries.maxAttempts,
      delayMs: Math.round(decision.delayMs),
      basis: wait ? wait.from : "backoff",
      ...(wait?.capped ? { requestedMs: Math.round(wait.requestedMs) } : {}),
    },
    message,
  );
}

function causeOf(sent: Attempt): RetryCause {
  if ("response" in sent) return "status";
  return sent.code === "HELR_HTTP_TIMEOUT" ? "timeout" : "network";
}

function reasonOf(ctx: AttemptContext, req: HttpRequest, sent: Attempt): string {
  if ("response" in sent) {
    const verdict = classifyStatus(
      sent.response.status,
      sent.response.headers,
      ctx.spec.resilience,
      ctx.deps.now(),
    );
    return `HTTP ${sent.response.status}${verdict.rateLimited ? " (rate limited)" : ""}`;
  }
  return redactValues((sent.error as Error).message, req.secrets ?? []);
}

function conclude(
  ctx: AttemptContext,
  req: HttpRequest,
  sent: Attempt,
  decision: Exclude<RetryDecision, { action: "retry" }>,
  attempts: number,
  elapsedMs: number,
): LogicalResult {
  const secrets = req.secrets ?? [];
  const target = `source "${ctx.spec.id}": ${req.method} ${redactUrl(req.url, secrets)}`;
  const tried = { sourceId: ctx.spec.id, attempts, elapsedMs };
  if ("response" in sent) {
    const { status, headers, body } = sent.response;
    const rateLimited = classifyStatus(status, headers, ctx.spec.resilience, ctx.deps.now()).rateLimited;
    const outcome = isBreakerFailure(status, rateLimited) ? "failure" : "success";
    if (decision.action === "accept") return { response: sent.response, outcome };
    // Redact before cutting: a secret straddling the cut would otherwise leave a prefix behind.
    const excerpt = redactValues(body.toString("utf8", 0, 65_536), secrets)
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 300);
    const message = `${target} returned HTTP ${status}${rateLimited ? " (rate limited)" : ""} ${describeTried(attempts, elapsedMs)}${excerpt ? `: ${excerpt}` : ""}`;
    return { error: new RetriedStatusError(status, tried, message), outcome };
  }
  const { error, code } = sent;
  if (code === "HELR_HTTP_ABORTED") return { error: aborted(ctx, req), outcome: "cancel" };
  // A request that could not be built (a header HTTP cannot carry) or a bug: as it is.
  if (errorEntry(code).kind !== "http") return { error: error as Error, outcome: "cancel" };
  // Retries used up, or a failure no retry can fix (a TLS certificate not trusted): either way
  // the message names the source, the request and what was tried.
  const verb = code === "HELR_HTTP_TIMEOUT" ? "timed out" : "failed";
  const detail = redactValues((error as Error).message, secrets);
  const message = `${target} ${verb} ${describeTried(attempts, elapsedMs)}: ${detail}`;
  return { error: new RetriedTransportError(code, tried, message, error), outcome: "failure" };
}

function aborted(ctx: AttemptContext, req: HttpRequest): HttpError {
  const url = redactUrl(req.url, req.secrets ?? []);
  return new HttpError(
    "HELR_HTTP_ABORTED",
    `source "${ctx.spec.id}": ${req.method} ${url} aborted (shutdown or poll tick timeout)`,
  );
}
