/**
 * A faithful local mock of the Slack Audit Logs API (vendor-apis §3): `GET /audit/v1/logs`.
 *
 * Quirks: `Authorization: Bearer xoxp-…` only; `entries` NEWEST FIRST; `response_metadata.next_cursor`
 * is "" on the last page; `limit` ≤ 9999; `oldest`/`latest` inclusive epoch seconds; `action` and `actor`
 * filters; errors as `{"ok":false,"error":…}`, by default with HTTP 200 (the exact statuses are
 * unconfirmed; `errorStatuses: "http"` answers 401/403/400 instead); a 429 that carries ONLY `Retry-After`.
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
import { type SlackAuditEntry, SlackEntryGenerator } from "./slack-events.ts";
import { parseSlackQuery, selectSlackPage } from "./slack-query.ts";

export type { SlackAuditEntry } from "./slack-events.ts";

/** Options for {@link startSlackMock}; every field is optional. */
export interface SlackMockOptions extends CommonMockOptions {
  /** Scopes the token carries; without `auditlogs:read` every call is `missing_scope`. */
  readonly scopes?: readonly string[];
  /** False: the org is not on Enterprise Grid, so every call is `feature_not_enabled`. Default true. */
  readonly featureEnabled?: boolean;
  /** `200` (default): errors are HTTP 200 with `ok:false`; `http`: 401, 403 or 400 with the same body. */
  readonly errorStatuses?: "200" | "http";
  /** `Retry-After` seconds on a 429; default 30. */
  readonly retryAfterSecs?: number;
  /** Omit `response_metadata` on the last page instead of sending `next_cursor: ""`. Default false. */
  readonly omitMetadataOnLastPage?: boolean;
}

/** A running mock; `close()` it when done. */
export interface SlackMock {
  readonly url: string;
  /** `${url}/audit/v1/logs`. */
  readonly logsUrl: string;
  /** Send as `Authorization: Bearer <token>`. */
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Every entry, in arrival order (oldest first). */
  readonly events: readonly SlackAuditEntry[];
  /** Appends `n` generated entries (no earlier than `atMs`) or the given ones; returns what was added. */
  addEvents(eventsOrCount: number | readonly SlackAuditEntry[], atMs?: number): readonly SlackAuditEntry[];
  /** The next `count` authorised requests get 429 with `Retry-After`. */
  rateLimitNext(count: number): void;
  /** The next `count` authorised requests get a 5xx (`status`, default 500). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

const LOGS_PATH = "/audit/v1/logs";
const DEFAULT_TOKEN = "xoxp-1701001-2470012-4711000000-0f3c5e8a9b7d6c4e2f1a0b9c8d7e6f5a";
const HTTP_STATUS: Readonly<Record<string, number>> = {
  missing_authentication: 401,
  invalid_authentication: 401,
  missing_scope: 403,
  feature_not_enabled: 403,
  unknown_method: 404,
};

/** Starts the mock on 127.0.0.1 and resolves once it is listening. */
export async function startSlackMock(options: SlackMockOptions = {}): Promise<SlackMock> {
  const api = new SlackAuditApi(options);
  const ids = seededRandom((options.seed ?? 1) ^ 0x51ac);
  const server = await serveMock(
    { port: options.port, tls: options.tls, requestId: () => ids.hex(32), requestIdHeader: "x-slack-req-id" },
    (request) => api.answer(request),
  );
  return {
    url: server.url,
    logsUrl: `${server.url}${LOGS_PATH}`,
    token: api.token,
    requests: server.requests,
    events: api.log,
    addEvents: (eventsOrCount, atMs) => api.addEvents(eventsOrCount, atMs),
    rateLimitNext: (count) => api.limits.arm(count, true),
    failNext: (count, status = 500) => api.failures.arm(count, status),
    close: () => server.close(),
  };
}

/** The mock's state and request handling, apart from the socket. */
class SlackAuditApi {
  readonly token: string;
  readonly log: SlackAuditEntry[];
  readonly limits = new Countdown<true>();
  readonly failures = new Countdown<number>();
  readonly #options: SlackMockOptions;
  readonly #generator: SlackEntryGenerator;

  constructor(options: SlackMockOptions) {
    this.#options = options;
    this.token = options.token ?? DEFAULT_TOKEN;
    this.#generator = new SlackEntryGenerator(
      options.seed ?? 1,
      toEpochMs(options.startTime ?? DEFAULT_START),
    );
    this.log = this.#generator.generate(options.events ?? 0);
  }

  addEvents(eventsOrCount: number | readonly SlackAuditEntry[], atMs?: number): readonly SlackAuditEntry[] {
    const added =
      typeof eventsOrCount === "number" ? this.#generator.generate(eventsOrCount, atMs) : [...eventsOrCount];
    this.log.push(...added);
    return added;
  }

  /** Route and credentials, then injected faults, then the page. */
  answer(request: MockRequest): MockReply {
    const denied = this.#deny(request);
    if (denied !== undefined) return denied;
    if (this.limits.take() !== undefined) {
      const headers = { "retry-after": String(this.#options.retryAfterSecs ?? 30) };
      return { status: 429, body: { ok: false, error: "ratelimited" }, headers };
    }
    const failure = this.failures.take();
    if (failure !== undefined) return { status: failure, body: { ok: false, error: "internal_error" } };
    const parsed = parseSlackQuery(request.url.searchParams);
    if ("error" in parsed) return this.#fail(parsed.error);
    const page = selectSlackPage(this.log, parsed.query);
    if ("error" in page) return this.#fail(page.error);
    const last = page.nextCursor === "" && this.#options.omitMetadataOnLastPage === true;
    const metadata = last ? {} : { response_metadata: { next_cursor: page.nextCursor } };
    return { status: 200, body: { entries: page.entries, ...metadata } };
  }

  /** The error for a wrong route, token, scope or plan; undefined when the call may proceed. */
  #deny(request: MockRequest): MockReply | undefined {
    if (request.url.pathname !== LOGS_PATH || request.method !== "GET") return this.#fail("unknown_method");
    const authorization = request.headers.authorization;
    if (authorization === undefined) return this.#fail("missing_authentication");
    if (authorization !== `Bearer ${this.token}`) return this.#fail("invalid_authentication");
    const scopes = this.#options.scopes ?? ["auditlogs:read"];
    if (!scopes.includes("auditlogs:read")) {
      return this.#fail("missing_scope", { needed: "auditlogs:read", provided: scopes.join(",") });
    }
    return this.#options.featureEnabled === false ? this.#fail("feature_not_enabled") : undefined;
  }

  #fail(error: string, extra: Record<string, unknown> = {}): MockReply {
    const status = this.#options.errorStatuses === "http" ? (HTTP_STATUS[error] ?? 400) : 200;
    return { status, body: { ok: false, error, ...extra } };
  }
}
