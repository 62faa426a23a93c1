/**
 * A faithful local mock of the 1Password Events API (vendor-apis §4): `POST /api/v1|v2/auditevents`,
 * `/signinattempts`, `/itemusages`, plus `GET /api/auth/introspect` (v1) and `/api/v2/auth/introspect`.
 *
 * Quirks: `Authorization: Bearer <JWT>` whose features gate each endpoint (401 otherwise); a ResetCursor
 * body first (`limit` 1–1000, optional `start_time`/`end_time`), then `{cursor}`; `{cursor, has_more,
 * items}` answers, where `has_more: true` can be followed by an empty page and `has_more: false` keeps
 * (echoes) the cursor for the next poll; a 429 without any retry hint; errors as `{"Error":{Code,Message}}`.
 */
import { seededRandom } from "../seeded-random.ts";
import { DEFAULT_START, toEpochMs } from "./codec.ts";
import { Countdown } from "./countdown.ts";
import {
  type CommonMockOptions,
  type MockReply,
  type MockRequest,
  type RecordedRequest,
  serveMock,
} from "./http-mock.ts";
import {
  FEATURES,
  type OnePasswordFeature,
  type OnePasswordItem,
  OnePasswordItemGenerator,
  toV1,
} from "./onepassword-events.ts";
import { parseEventsBody, selectItems } from "./onepassword-query.ts";

export type { OnePasswordFeature, OnePasswordItem } from "./onepassword-events.ts";

/** Options for {@link startOnePasswordMock}; every field is optional (`events` counts per stream). */
export interface OnePasswordMockOptions extends CommonMockOptions {
  /** Features the token grants; default all three. Calling another endpoint answers 401. */
  readonly features?: readonly OnePasswordFeature[];
  /** The events host named in the default token's `aud`; default `events.1password.com`. */
  readonly audience?: string;
}

/** A running mock; `close()` it when done. */
export interface OnePasswordMock {
  readonly url: string;
  /** Send as `Authorization: Bearer <token>` (JWT-shaped, not verified beyond equality). */
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Each stream's items in arrival order. */
  readonly events: { readonly [F in OnePasswordFeature]: readonly OnePasswordItem[] };
  /** Appends `n` generated items (no earlier than `atMs`) or the given ones to a stream (default audit events). */
  addEvents(
    eventsOrCount: number | readonly OnePasswordItem[],
    options?: { readonly feature?: OnePasswordFeature; readonly atMs?: number },
  ): readonly OnePasswordItem[];
  /** The next `count` authorised requests get 429 (no Retry-After, no rate headers). */
  rateLimitNext(count: number): void;
  /** The next `count` authorised requests get a 5xx (`status`, default 500). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

const ROUTE = /^\/api\/(v1|v2)\/(auditevents|signinattempts|itemusages)$/;
const INTROSPECT = new Set(["/api/auth/introspect", "/api/v2/auth/introspect"]);
const STATUS_TEXT: Readonly<Record<number, string>> = {
  401: "Unauthorized",
  404: "Not Found",
  429: "Too Many Requests",
};

/** Starts the mock on 127.0.0.1 and resolves once it is listening. */
export async function startOnePasswordMock(options: OnePasswordMockOptions = {}): Promise<OnePasswordMock> {
  const api = new OnePasswordEventsApi(options);
  const ids = seededRandom((options.seed ?? 1) ^ 0x1f);
  const server = await serveMock(
    { port: options.port, tls: options.tls, requestId: () => ids.hex(16) },
    (request) => api.answer(request),
  );
  return {
    url: server.url,
    token: api.token,
    requests: server.requests,
    events: api.events,
    addEvents: (eventsOrCount, add = {}) =>
      api.addEvents(eventsOrCount, add.feature ?? "auditevents", add.atMs),
    rateLimitNext: (count) => api.limits.arm(count, true),
    failNext: (count, status = 500) => api.failures.arm(count, status),
    close: () => server.close(),
  };
}

/** The mock's state and request handling, apart from the socket. */
class OnePasswordEventsApi {
  readonly token: string;
  readonly events: { [F in OnePasswordFeature]: OnePasswordItem[] };
  readonly limits = new Countdown<true>();
  readonly failures = new Countdown<number>();
  readonly #features: readonly OnePasswordFeature[];
  readonly #now: () => number;
  readonly #startMs: number;
  readonly #generator: OnePasswordItemGenerator;

  constructor(options: OnePasswordMockOptions) {
    const seed = options.seed ?? 1;
    this.#now = options.now ?? Date.now;
    this.#startMs = toEpochMs(options.startTime ?? DEFAULT_START);
    this.#features = options.features ?? FEATURES;
    this.#generator = new OnePasswordItemGenerator(seed, this.#startMs);
    const generate = (feature: OnePasswordFeature) => this.#generator.generate(feature, options.events ?? 0);
    this.events = {
      auditevents: generate("auditevents"),
      signinattempts: generate("signinattempts"),
      itemusages: generate("itemusages"),
    };
    const audience = options.audience ?? "events.1password.com";
    this.token = options.token ?? makeToken(seed, audience, this.#features, this.#startMs);
  }

  addEvents(
    eventsOrCount: number | readonly OnePasswordItem[],
    feature: OnePasswordFeature,
    atMs: number | undefined,
  ): readonly OnePasswordItem[] {
    const added =
      typeof eventsOrCount === "number"
        ? this.#generator.generate(feature, eventsOrCount, atMs)
        : [...eventsOrCount];
    this.events[feature].push(...added);
    return added;
  }

  /** Route, token and feature, then injected faults, then introspection or a page. */
  answer(request: MockRequest): MockReply {
    const route = ROUTE.exec(request.url.pathname);
    const introspect = INTROSPECT.has(request.url.pathname) && request.method === "GET";
    if ((route === null || request.method !== "POST") && !introspect) return error(404);
    if (request.headers.authorization !== `Bearer ${this.token}`) return error(401);
    const feature = route?.[2] as OnePasswordFeature | undefined;
    if (feature !== undefined && !this.#features.includes(feature)) return error(401);
    if (this.limits.take() !== undefined) return error(429);
    const failure = this.failures.take();
    if (failure !== undefined) return error(failure, "Internal Server Error");
    if (feature === undefined) return this.#introspect();
    const parsed = parseEventsBody(feature, request.body, this.#now());
    if ("error" in parsed) return error(parsed.error.status, parsed.error.message);
    const page = selectItems(this.events[feature], parsed.state);
    if ("error" in page) return error(page.error.status, page.error.message);
    const items = route?.[1] === "v1" ? page.items.map(toV1) : page.items;
    return { status: 200, body: { cursor: page.cursor, has_more: page.has_more, items } };
  }

  #introspect(): MockReply {
    const issuedAt = new Date(this.#startMs).toISOString().replace(/\.\d+Z$/, "Z");
    const body = {
      UUID: "OJQGU46KAPROEJLCK674RHSAY5",
      IssuedAt: issuedAt,
      Features: [...this.#features].sort(),
    };
    return { status: 200, body };
  }
}

function error(status: number, message = STATUS_TEXT[status] ?? "Bad Request"): MockReply {
  return { status, body: { Error: { Code: status, Message: message } } };
}

/** A JWT-shaped token (ES256 header, 1Password-like claims, random signature bytes); never verified. */
function makeToken(seed: number, audience: string, features: readonly string[], issuedMs: number): string {
  const r = seededRandom(seed ^ 0x70c);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = { alg: "ES256", kid: r.token(26).toLowerCase(), typ: "JWT" };
  const claims = {
    "1password.com/auuid": "VZSYVT2LGHTBWBQGUJAIZVRABM",
    "1password.com/token": r.token(32),
    "1password.com/fts": [...features].sort(),
    aud: [audience],
    sub: "OJQGU46KAPROEJLCK674RHSAY5",
    iat: Math.floor(issuedMs / 1000),
    iss: "com.1password.b5",
    jti: r.token(26).toLowerCase(),
  };
  return `${part(header)}.${part(claims)}.${Buffer.from(r.token(64)).toString("base64url")}`;
}
