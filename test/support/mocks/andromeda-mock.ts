/**
 * A local mock of Andromeda Security's audit-event API, as the Rust Helr's hooks/andromeda-audit.js
 * and its docs use it (helr.md §7.7): `POST /login/access-key` with `{code: <PAT>}` answers a
 * session in `Set-Cookie`; `POST /graphql` with operation `AndromedaEventsList` answers
 * `data.AndromedaEvents.edges[].node`, NEWEST FIRST, with offset paging `pageArgs {skip, pageSize}`.
 *
 * Quirks simulated: GraphQL errors come in an HTTP 200 body `{errors: [...], data: null}` (a missing
 * or expired session, a malformed query, a page size over 100); the WAF in front of the API refuses
 * requests without a browser-like User-Agent (403, HTML); sessions expire after `sessionTtlMs`;
 * a 429 with `Retry-After` when rate limited. Offsets are live: events that arrive between two
 * pages shift everything older by that many places, as with any offset-paged, newest-first list.
 */
import { seededRandom } from "../seeded-random.ts";
import { DEFAULT_START, toEpochMs } from "./codec.ts";
import { Countdown } from "./countdown.ts";
import { type CommonMockOptions, type MockReply, type RecordedRequest, serveMock } from "./http-mock.ts";

/** One audit event as the API's `AndromedaEvent` node carries it. */
export interface AndromedaEvent {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly time: string;
  readonly actor: string;
  readonly level: string;
  readonly subtype: string;
  readonly eventPrimaryKey: string;
  readonly __typename: "AndromedaEvent";
}

export interface AndromedaMockOptions extends CommonMockOptions {
  /** How long a session cookie is valid; default one hour. */
  readonly sessionTtlMs?: number;
  /** `Retry-After` seconds on a 429; default 1. */
  readonly retryAfterSecs?: number;
}

export interface AndromedaMock {
  readonly url: string;
  /** The personal access token `/login/access-key` accepts. */
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Every event, oldest first (the API answers them the other way round). */
  readonly events: readonly AndromedaEvent[];
  /** Sessions handed out so far. */
  readonly logins: () => number;
  addEvents(count: number): readonly AndromedaEvent[];
  /** The next `count` GraphQL requests get 429 with `Retry-After`. */
  rateLimitNext(count: number): void;
  /** The next `count` GraphQL requests answer HTTP 200 with this GraphQL error. */
  graphqlErrorNext(count: number, message: string): void;
  close(): Promise<void>;
}

const MAX_PAGE_SIZE = 100;
const EVENT_NAMES = [
  ["UserLogin", "login", "INFO"],
  ["AccessRequestApproved", "access_request", "INFO"],
  ["PolicyChanged", "policy", "WARNING"],
  ["IdentityDeactivated", "identity", "WARNING"],
  ["PermissionEscalation", "risk", "HIGH"],
] as const;

/** Starts the mock on 127.0.0.1 and resolves once it is listening. */
export async function startAndromedaMock(options: AndromedaMockOptions = {}): Promise<AndromedaMock> {
  const api = new AndromedaApi(options);
  const ids = seededRandom((options.seed ?? 1) ^ 0xa4d0);
  const server = await serveMock(
    { port: options.port, tls: options.tls, requestId: () => ids.hex(16) },
    (r) => api.answer(r.method, r.url.pathname, r.headers, r.body),
  );
  return {
    url: server.url,
    token: api.token,
    requests: server.requests,
    events: api.log,
    logins: () => api.sessions.size,
    addEvents: (count) => api.addEvents(count),
    rateLimitNext: (count) => api.limits.arm(count, true),
    graphqlErrorNext: (count, message) => api.errors.arm(count, message),
    close: () => server.close(),
  };
}

class AndromedaApi {
  readonly token: string;
  readonly log: AndromedaEvent[] = [];
  readonly sessions = new Map<string, number>();
  readonly limits = new Countdown<true>();
  readonly errors = new Countdown<string>();
  readonly #options: AndromedaMockOptions;
  readonly #random: ReturnType<typeof seededRandom>;
  readonly #now: () => number;
  #clock: number;

  constructor(options: AndromedaMockOptions) {
    this.#options = options;
    this.token = options.token ?? "andromeda-pat-7f3a9c1e5b2d4f60";
    this.#random = seededRandom(options.seed ?? 1);
    this.#now = options.now ?? Date.now;
    this.#clock = toEpochMs(options.startTime ?? DEFAULT_START);
    this.addEvents(options.events ?? 0);
  }

  addEvents(count: number): readonly AndromedaEvent[] {
    const added: AndromedaEvent[] = [];
    for (let i = 0; i < count; i++) {
      // Seconds apart, and now and then two in the same second: a time is not an id.
      this.#clock += this.#random.int(0, 3) === 0 ? 0 : this.#random.int(1000, 6000);
      const n = this.log.length + 1;
      const [name, subtype, level] = this.#random.pick(EVENT_NAMES);
      const event: AndromedaEvent = {
        id: `evt_${n.toString().padStart(6, "0")}_${this.#random.hex(6)}`,
        type: "AUDIT",
        name,
        time: new Date(this.#clock).toISOString(),
        actor: `user${this.#random.int(1, 20)}@example.com`,
        level,
        subtype,
        eventPrimaryKey: `pk_${this.#random.hex(10)}`,
        __typename: "AndromedaEvent",
      };
      this.log.push(event);
      added.push(event);
    }
    return added;
  }

  answer(method: string, path: string, headers: Record<string, unknown>, text: string): MockReply {
    const agent = String(headers["user-agent"] ?? "");
    if (!agent.startsWith("Mozilla/"))
      return { status: 403, body: "<html><body>Request blocked.</body></html>", headers: html };
    if (method !== "POST") return { status: 405, body: { message: "Method Not Allowed" } };
    if (path === "/login/access-key") return this.#login(text);
    if (path !== "/graphql") return { status: 404, body: { message: "Not Found" } };
    if (this.limits.take() !== undefined) {
      const retry = { "retry-after": String(this.#options.retryAfterSecs ?? 1) };
      return { status: 429, body: { message: "Too Many Requests" }, headers: retry };
    }
    const injected = this.errors.take();
    if (injected !== undefined) return graphqlError(injected, "INTERNAL_SERVER_ERROR");
    if (!this.#authenticated(String(headers.cookie ?? "")))
      return graphqlError("Unauthorized: missing or expired session", "UNAUTHENTICATED");
    let request: {
      operationName?: unknown;
      variables?: { pageArgs?: { skip?: unknown; pageSize?: unknown } };
    };
    try {
      request = JSON.parse(text);
    } catch {
      return {
        status: 400,
        body: {
          errors: [{ message: "POST body missing, invalid Content-Type, or JSON object has no keys." }],
        },
      };
    }
    if (request.operationName !== "AndromedaEventsList")
      return graphqlError(
        `Unknown operation named "${String(request.operationName)}".`,
        "GRAPHQL_VALIDATION_FAILED",
      );
    const { skip, pageSize } = request.variables?.pageArgs ?? {};
    if (
      !Number.isInteger(skip) ||
      !Number.isInteger(pageSize) ||
      (skip as number) < 0 ||
      (pageSize as number) < 1
    )
      return graphqlError('Variable "$pageArgs" got invalid value.', "BAD_USER_INPUT");
    if ((pageSize as number) > MAX_PAGE_SIZE)
      return graphqlError(`pageSize must be at most ${MAX_PAGE_SIZE}`, "BAD_USER_INPUT");
    const newestFirst = [...this.log].reverse();
    const edges = newestFirst
      .slice(skip as number, (skip as number) + (pageSize as number))
      .map((node) => ({ node, __typename: "AndromedaEventEdge" }));
    return {
      status: 200,
      body: { data: { AndromedaEvents: { edges, __typename: "AndromedaEventConnection" } } },
    };
  }

  #login(text: string): MockReply {
    let code: unknown;
    try {
      code = JSON.parse(text)?.code;
    } catch {
      code = undefined;
    }
    if (code !== this.token) return { status: 401, body: { message: "Invalid access key" } };
    const session = `sess_${this.#random.hex(24)}`;
    this.sessions.set(session, this.#now() + (this.#options.sessionTtlMs ?? 3_600_000));
    const cookie = `session=${session}; Path=/; Domain=.andromedasecurity.com; HttpOnly; Secure; SameSite=None`;
    return { status: 200, body: { success: true }, headers: { "set-cookie": cookie } };
  }

  #authenticated(cookie: string): boolean {
    const session = /(?:^|;\s*)session=([^;]+)/.exec(cookie)?.[1];
    const expires = session === undefined ? undefined : this.sessions.get(session);
    return expires !== undefined && expires > this.#now();
  }
}

const html = { "content-type": "text/html" };

function graphqlError(message: string, code: string): MockReply {
  return { status: 200, body: { errors: [{ message, extensions: { code } }], data: null } };
}
