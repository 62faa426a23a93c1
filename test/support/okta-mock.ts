/**
 * A faithful local mock of the Okta System Log API (`GET /api/v1/logs`) on 127.0.0.1, port 0 by default.
 *
 * Behaviour follows the vendor notes (shared reference, Okta section): SSWS auth, polling vs bounded
 * requests, a `rel="next"` link on every polling response (even `[]`), `self` and `next` sent as two
 * separate `link` header lines, `X-Rate-Limit-*` headers, and a 429 that carries only `X-Rate-Limit-Reset`.
 * Used by unit and end-to-end tests, and by `npm run demo` (scripts/demo-api.ts).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { OktaEventGenerator, type OktaLogEvent } from "./okta-events.ts";
import { type LogsPage, type OktaErrorInfo, parseLogsQuery, selectPage } from "./okta-logs-query.ts";
import { type SeededRandom, seededRandom } from "./seeded-random.ts";

export type { OktaLogEvent } from "./okta-events.ts";

/** Options for {@link startOktaMock}; every field is optional. */
export interface OktaMockOptions {
  /** API token expected after `SSWS `; default `okta-mock-token`. */
  readonly token?: string;
  /** Seed for event contents and ids; default 1. */
  readonly seed?: number;
  /** Number of events in the log at start; default 0. */
  readonly events?: number;
  /** `published` of the first generated event (epoch ms or ISO string); default 2024-05-21T13:00:00.000Z. */
  readonly startTime?: number | string;
  /**
   * The mock's clock (epoch ms), used for rate-limit windows, the `until` default and the 180-day `since`
   * check. Default `Date.now`. Tests that send a `since` near the fixed default start time must pass one.
   */
  readonly now?: () => number;
  /** `separate` (Okta: two `link` header lines, default) or `joined` (one comma-joined header, GitHub-style). */
  readonly linkHeader?: "separate" | "joined";
  /** Absolute links (default, as Okta sends) or origin-relative ones (`/api/v1/logs?...`). */
  readonly absoluteLinks?: boolean;
  /** Requests per window; when `enforce` is true, exceeding it answers 429. Default 600 per 60 s, not enforced. */
  readonly rateLimit?: { readonly limit?: number; readonly windowSecs?: number; readonly enforce?: boolean };
  /** Port to listen on; default 0 (any free port). */
  readonly port?: number;
  /** Serve HTTPS with this certificate (e.g. from test/support/certs.ts) instead of plain HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** One request as the mock saw it, recorded before the response is sent. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters in arrival order (last value wins for repeats). */
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
  readonly requestId: string;
}

/** A running mock; `close()` it when done. */
export interface OktaMock {
  /** Origin, e.g. `http://127.0.0.1:40123` (`https://` with `tls`; no trailing slash). */
  readonly url: string;
  /** `${url}/api/v1/logs`. */
  readonly logsUrl: string;
  /** The token to send as `Authorization: SSWS <token>`. */
  readonly token: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** The whole log in persistence order. */
  readonly events: readonly OktaLogEvent[];
  /**
   * Appends events: `n` generated ones (published no earlier than `atMs` when given), or the given
   * events as they are (for late or out-of-order arrivals). Returns what was added.
   */
  addEvents(eventsOrCount: number | readonly OktaLogEvent[], atMs?: number): readonly OktaLogEvent[];
  /** The next `count` authorised requests get 429 E0000047. */
  rateLimitNext(count: number): void;
  /** The next `count` authorised requests get a 500 (E0000009, Okta's query timeout). */
  failNext(count: number): void;
  close(): Promise<void>;
}

const LOGS_PATH = "/api/v1/logs";
const DEFAULT_START = "2024-05-21T13:00:00.000Z";

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

/** Starts the mock on 127.0.0.1 and resolves once it is listening. */
export async function startOktaMock(options: OktaMockOptions = {}): Promise<OktaMock> {
  const api = new OktaLogsApi(options);
  const requests: RecordedRequest[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", api.origin);
    const requestId = api.requestId();
    const reply = api.answer(req.method ?? "GET", url, req.headers.authorization);
    const { method = "GET", headers } = req;
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method, path: url.pathname, query, headers, status: reply.status, requestId });
    res.writeHead(reply.status, {
      "content-type": "application/json",
      "x-okta-request-id": requestId,
      ...reply.headers,
    });
    res.end(JSON.stringify(reply.body));
  };
  const server =
    options.tls === undefined ? createServer(listener) : createHttpsServer(options.tls, listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const scheme = options.tls === undefined ? "http" : "https";
  api.origin = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: api.origin,
    logsUrl: `${api.origin}${LOGS_PATH}`,
    token: api.token,
    requests,
    events: api.log,
    addEvents: (eventsOrCount, atMs) => api.addEvents(eventsOrCount, atMs),
    rateLimitNext: (count) => {
      api.forced429 = count;
    },
    failNext: (count) => {
      api.forced500 = count;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The mock's state and request handling, apart from the socket. */
class OktaLogsApi {
  readonly token: string;
  readonly log: OktaLogEvent[];
  origin = "http://127.0.0.1";
  forced429 = 0;
  forced500 = 0;
  readonly #options: OktaMockOptions;
  readonly #now: () => number;
  readonly #generator: OktaEventGenerator;
  readonly #ids: SeededRandom;
  readonly #limiter: RateWindow;

  constructor(options: OktaMockOptions) {
    const seed = options.seed ?? 1;
    const start = options.startTime ?? DEFAULT_START;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#generator = new OktaEventGenerator(seed, typeof start === "string" ? Date.parse(start) : start);
    this.#ids = seededRandom(seed ^ 0x5eed);
    this.#limiter = new RateWindow(
      options.rateLimit?.limit ?? 600,
      (options.rateLimit?.windowSecs ?? 60) * 1000,
    );
    this.token = options.token ?? "okta-mock-token";
    this.log = this.#generator.generate(options.events ?? 0);
  }

  requestId(): string {
    return this.#ids.token(27);
  }

  addEvents(eventsOrCount: number | readonly OktaLogEvent[], atMs?: number): readonly OktaLogEvent[] {
    const added =
      typeof eventsOrCount === "number" ? this.#generator.generate(eventsOrCount, atMs) : [...eventsOrCount];
    this.log.push(...added);
    return added;
  }

  /** Auth, then rate limits and injected failures, then query validation, then the page. */
  answer(method: string, url: URL, authorization: string | undefined): Reply {
    if (url.pathname !== LOGS_PATH) return this.#error(notFound(url.pathname));
    if (method !== "GET") return this.#error(methodNotAllowed());
    const rate = this.#limiter.take(this.#now());
    if (authorization !== `SSWS ${this.token}`) return this.#error(invalidToken(), rate.headers);
    if (this.forced429 > 0 || (this.#options.rateLimit?.enforce === true && rate.exceeded)) {
      this.forced429 = Math.max(0, this.forced429 - 1);
      return this.#error(rateLimited(), { "x-rate-limit-reset": String(rate.resetSecs) });
    }
    if (this.forced500 > 0) {
      this.forced500--;
      return this.#error(queryTimeout(), rate.headers);
    }
    const parsed = parseLogsQuery(url.searchParams, this.#now());
    if ("error" in parsed) return this.#error(parsed.error, rate.headers);
    const page = selectPage(this.log, parsed.query, this.#now());
    if ("error" in page) return this.#error(page.error, rate.headers);
    const links = pageLinks(this.#options.absoluteLinks === false ? "" : this.origin, url, page);
    const link = this.#options.linkHeader === "joined" ? links.join(", ") : links;
    return { status: 200, body: page.events, headers: { ...rate.headers, link } };
  }

  #error(error: OktaErrorInfo, headers: Record<string, string> = {}): Reply {
    return { status: error.status, body: errorBody(error, this.#ids.token(22)), headers };
  }
}

/** `self` (the request as received) and, when due, `next` (same query minus since/after, plus the cursor). */
function pageLinks(base: string, url: URL, page: LogsPage): string[] {
  const links = [`<${base}${url.pathname}${url.search}>; rel="self"`];
  if (page.next !== undefined) {
    const params = new URLSearchParams(url.searchParams);
    params.delete("after");
    if (page.bounded || page.next.after !== undefined) params.delete("since");
    if (page.next.after !== undefined) params.append("after", page.next.after);
    const query = params.toString();
    links.push(`<${base}${url.pathname}${query === "" ? "" : `?${query}`}>; rel="next"`);
  }
  return links;
}

/** A fixed-window request counter reporting Okta's three rate-limit headers. */
class RateWindow {
  #windowStart = Number.NEGATIVE_INFINITY;
  #used = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  take(nowMs: number): { exceeded: boolean; resetSecs: number; headers: Record<string, string> } {
    if (nowMs >= this.#windowStart + this.windowMs) {
      this.#windowStart = nowMs;
      this.#used = 0;
    }
    this.#used++;
    const resetSecs = Math.ceil((this.#windowStart + this.windowMs) / 1000);
    const headers = {
      "x-rate-limit-limit": String(this.limit),
      "x-rate-limit-remaining": String(Math.max(0, this.limit - this.#used)),
      "x-rate-limit-reset": String(resetSecs),
    };
    return { exceeded: this.#used > this.limit, resetSecs, headers };
  }
}

function errorBody(error: OktaErrorInfo, id: string): Record<string, unknown> {
  return {
    errorCode: error.errorCode,
    errorSummary: error.errorSummary,
    errorLink: error.errorCode,
    errorId: `oae${id}`,
    errorCauses: error.errorCauses,
  };
}

const oktaError = (status: number, errorCode: string, errorSummary: string): OktaErrorInfo => ({
  status,
  errorCode,
  errorSummary,
  errorCauses: [],
});
const invalidToken = () => oktaError(401, "E0000011", "Invalid token provided");
const rateLimited = () =>
  oktaError(429, "E0000047", "API call exceeded rate limit due to too many requests.");
const queryTimeout = () => oktaError(500, "E0000009", "Internal Server Error");
const methodNotAllowed = () =>
  oktaError(405, "E0000022", "The endpoint does not support the provided HTTP method");
const notFound = (path: string) =>
  oktaError(404, "E0000007", `Not found: Resource not found: ${path} (Route)`);
