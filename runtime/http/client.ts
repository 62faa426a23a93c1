import type { ConnectionOptions } from "node:tls";
import { type Dispatcher, request } from "undici";
import type { ErrorCode } from "../errors/codes.ts";
import type { SourceSpec, TimeoutSpec } from "../spec.ts";
import { createSourceDispatcher, type SourceDispatcher } from "./dispatcher.ts";
import { HttpError } from "./errors.ts";
import { checkHeaders } from "./header-check.ts";
import { explainTlsError } from "./tls.ts";

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The whole request, headers and body; default: the client's `requestSecs`. */
  readonly timeoutMs?: number;
  /** Aborts the request (shutdown, poll tick timeout); an abort is never retried. */
  readonly signal?: AbortSignal;
  /** Ends the waits around the request (back-off, Retry-After, rate budget) early; default `signal`. */
  readonly waitSignal?: AbortSignal;
  /** Secret values to mask in error messages (what the authenticator added). */
  readonly secrets?: readonly string[];
  /**
   * A body longer than this is not kept: reading stops as soon as it is known to be larger
   * (from Content-Length, or once that many bytes arrived) and the response carries
   * `oversizeBytes` and an empty body (`max_response_bytes`).
   */
  readonly maxBodyBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header name → every value received (repeated headers keep each line). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: Buffer;
  /** The URL that produced this response. */
  readonly url: string;
  /** Set when the body exceeded the request's `maxBodyBytes`: the bytes known of it (then `body` is empty). */
  readonly oversizeBytes?: number;
}

/** A request whose body may be bytes: the HTTP sink's NDJSON batches, possibly gzipped. */
export type ByteBodyRequest = Omit<HttpRequest, "body"> & { readonly body?: string | Uint8Array };

/** The one function that sends HTTP; injected into the engine so tests can replace it. */
export type HttpSend = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * Sends a request with undici's global dispatcher (no per-source pool). Failures become
 * {@link HttpError}s: `HELR_HTTP_TIMEOUT`, `HELR_HTTP_TRANSPORT` or `HELR_HTTP_ABORTED`.
 */
export const sendHttp: HttpSend = (req) => send(req, undefined, undefined);

/** A source's HTTP client: its own connection pool and timeouts, closed at shutdown. */
export interface SourceClient {
  readonly send: HttpSend;
  close(): Promise<void>;
}

/** Options of {@link createSourceClient}. */
export interface SourceClientOptions {
  /** TLS connect options for `resilience.tls` (CA, client certificate); loaded once, on first use. */
  readonly tls?: () => Promise<ConnectionOptions>;
  /** Who sends, as messages name it (`source "okta"`, `output https://siem…`), for the header check. */
  readonly owner?: string;
}

/**
 * The per-source client: one undici Agent ({@link createSourceDispatcher}) created on the first
 * request and reused by every poll after it. Cheap to construct; nothing connects until a send.
 * A request with a header HTTP cannot carry is refused with a `HeaderError`
 * (`HELR_HEADER_INVALID`, never retried) before it is sent.
 */
export function createSourceClient(spec: SourceSpec, options: SourceClientOptions = {}): SourceClient {
  return createHttpClient(spec.resilience.timeouts, { owner: `source "${spec.id}"`, ...options });
}

/** A client with its own pool that also sends byte bodies (the HTTP sink's). */
export interface HttpClient {
  send(req: ByteBodyRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/**
 * A client with its own pool and these timeouts, created on the first send: what
 * {@link createSourceClient} builds for a source, and the HTTP sink for its receiver.
 */
export function createHttpClient(timeouts: TimeoutSpec, options: SourceClientOptions = {}): HttpClient {
  let pool: Promise<SourceDispatcher> | undefined;
  const dispatcher = (): Promise<SourceDispatcher> => {
    if (pool) return pool;
    const created = (async () =>
      createSourceDispatcher(timeouts, options.tls ? await options.tls() : undefined))();
    pool = created;
    // A TLS file that failed to load is read again on the next request.
    created.catch(() => {
      if (pool === created) pool = undefined;
    });
    return created;
  };
  return {
    send: async (req) => {
      // Before anything connects: a header value with a CR or LF from the environment or a
      // secret file is refused here, naming the source, for page and token requests alike.
      checkHeaders(req.headers, options.owner ?? "a request");
      return send(req, await dispatcher(), timeouts);
    },
    async close() {
      const pending = pool;
      pool = undefined;
      if (pending) await (await pending).agent.close();
    },
  };
}

async function send(
  req: ByteBodyRequest,
  pool: SourceDispatcher | undefined,
  timeouts: TimeoutSpec | undefined,
): Promise<HttpResponse> {
  const limitMs = req.timeoutMs ?? (timeouts ? timeouts.requestSecs * 1000 : undefined);
  // One controller for both the deadline and the caller's signal (AbortSignal.any would keep a
  // reference on a long-lived caller signal per request).
  const deadline = new AbortController();
  const timer = limitMs ? setTimeout(() => deadline.abort(), limitMs) : undefined;
  const follow = (): void => deadline.abort();
  if (req.signal?.aborted) deadline.abort();
  else req.signal?.addEventListener("abort", follow, { once: true });
  const signal = deadline.signal;
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal,
      ...(pool
        ? { dispatcher: pool.agent }
        : { headersTimeout: limitMs ?? null, bodyTimeout: limitMs ?? null }),
    });
    const headers = headerMap(res.headers);
    const declared = Number(headers.get("content-length")?.[0] ?? Number.NaN);
    const read = await readBody(res.body, {
      readMs: timeouts && timeouts.readSecs * 1000,
      ...(Number.isSafeInteger(declared) && declared >= 0 ? { declared } : {}),
      ...(req.maxBodyBytes !== undefined ? { max: req.maxBodyBytes } : {}),
    });
    return {
      status: res.statusCode,
      headers,
      body: read.body,
      url: req.url,
      ...(read.oversize !== undefined ? { oversizeBytes: read.oversize } : {}),
    };
  } catch (error) {
    throw toHttpError(error, {
      aborted: req.signal?.aborted === true,
      deadline: deadline.signal.aborted && req.signal?.aborted !== true,
      limitMs,
      timeouts,
      explain: pool?.explain ?? explainTlsError,
    });
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", follow);
  }
}

/** The body went quiet for longer than `readSecs`. */
class BodyStall extends Error {}

interface BodyLimits {
  /** Fail when no data arrives for this long. */
  readonly readMs?: number | undefined;
  /** Content-Length, when the server sent one. */
  readonly declared?: number;
  /** Stop reading past this many bytes (`maxBodyBytes`). */
  readonly max?: number;
}

/**
 * Reads the whole body, failing when no data arrives for `readMs` (undici's own `bodyTimeout`
 * is checked on a ~1 s tick; this one is exact, and stays as a backstop). With a Content-Length
 * the body goes straight into one buffer of that size, so a large response is never held twice
 * (chunks and their concatenation). Past `max`, reading stops and only the size is reported.
 */
async function readBody(
  body: Dispatcher.ResponseData["body"],
  limits: BodyLimits,
): Promise<{ body: Buffer; oversize?: number }> {
  const { readMs, declared, max } = limits;
  if (max !== undefined && declared !== undefined && declared > max) {
    body.destroy();
    return { body: Buffer.alloc(0), oversize: declared };
  }
  const whole = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  let filled = 0;
  const timer = readMs ? setTimeout(() => body.destroy(new BodyStall()), readMs) : undefined;
  try {
    for await (const data of body) {
      const chunk = data as Buffer;
      if (max !== undefined && size + chunk.length > max) {
        body.destroy();
        return { body: Buffer.alloc(0), oversize: size + chunk.length };
      }
      if (whole !== undefined && chunks.length === 0 && size + chunk.length <= whole.length) {
        whole.set(chunk, size);
        filled += chunk.length;
      } else chunks.push(chunk);
      size += chunk.length;
      timer?.refresh();
    }
  } finally {
    clearTimeout(timer);
  }
  if (whole === undefined) return { body: Buffer.concat(chunks, size) };
  // undici enforces Content-Length, so the body normally fills the buffer exactly.
  if (chunks.length === 0) return { body: whole.subarray(0, filled) };
  return { body: Buffer.concat([whole.subarray(0, filled), ...chunks], size) };
}

interface FailureContext {
  readonly aborted: boolean;
  readonly deadline: boolean;
  readonly limitMs: number | undefined;
  readonly timeouts: TimeoutSpec | undefined;
  readonly explain: (error: unknown) => string | undefined;
}

/** Maps undici and socket failures to stable codes with a message that says which limit tripped. */
function toHttpError(error: unknown, ctx: FailureContext): HttpError {
  const err = error as Error & { code?: string; cause?: { code?: string; message?: string } };
  const wrap = (code: ErrorCode, message: string): HttpError =>
    new HttpError(code, message, { cause: error });
  if (ctx.aborted) return wrap("HELR_HTTP_ABORTED", "request aborted (shutdown or poll tick timeout)");
  if (ctx.deadline)
    return wrap("HELR_HTTP_TIMEOUT", `no complete response within ${secs(ctx.limitMs)} (request_secs)`);
  const t = ctx.timeouts;
  if (error instanceof BodyStall) {
    return wrap(
      "HELR_HTTP_TIMEOUT",
      `response body stalled for more than ${secs(t && t.readSecs * 1000)} (read_secs)`,
    );
  }
  switch (err.code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return wrap(
        "HELR_HTTP_TIMEOUT",
        `could not connect within ${secs(t && t.connectSecs * 1000)} (connect_secs)`,
      );
    case "UND_ERR_HEADERS_TIMEOUT":
      return wrap(
        "HELR_HTTP_TIMEOUT",
        `no response headers within ${secs(t ? t.requestSecs * 1000 : ctx.limitMs)} (request_secs)`,
      );
    case "UND_ERR_BODY_TIMEOUT":
      return wrap(
        "HELR_HTTP_TIMEOUT",
        `response body stalled for more than ${secs(t ? t.readSecs * 1000 : ctx.limitMs)} (read_secs)`,
      );
  }
  const code = err.code ?? err.cause?.code ?? err.name;
  const cause = err.cause?.message && err.cause.message !== err.message ? ` (${err.cause.message})` : "";
  const tls = ctx.explain(error);
  const detail = `${code}: ${err.message}${cause}`;
  // A certificate the client does not trust, or a TLS version or client certificate the server
  // refuses, fails the same way on every attempt: it is not retried.
  return tls ? wrap("HELR_TLS_VERIFY", `TLS: ${tls} (${detail})`) : wrap("HELR_HTTP_TRANSPORT", detail);
}

function secs(ms: number | undefined): string {
  return ms === undefined ? "the limit" : `${ms / 1000} s`;
}

function headerMap(headers: Record<string, string | string[] | undefined>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    map.set(name.toLowerCase(), Array.isArray(value) ? value : [value]);
  }
  return map;
}
