/**
 * A faithful local mock of the Google Workspace Admin SDK Reports API (vendor-apis §6):
 * `GET /admin/reports/v1/activity/users/all/applications/{applicationName}`.
 *
 * Quirks: `Authorization: Bearer <access token>` compared exactly (tokens come from the separate Google
 * token server); `items` NEWEST FIRST with a `nextPageToken` chain; `items` OMITTED when nothing matches
 * (`{"kind","etag"}` only); `startTime`/`endTime`/`maxResults` (1–1000, default 1000); `uniqueQualifier`
 * as a string int64; LATE events that become visible after a delay ({@link GoogleReportsMock.addLateEvents});
 * Google error envelopes (with legacy `errors[]`) on 400/401/403/429/5xx and no `Retry-After`.
 */
import { type SeededRandom, seededRandom } from "../seeded-random.ts";
import { DEFAULT_START, toEpochMs } from "./codec.ts";
import { Countdown } from "./countdown.ts";
import { DelayedLog } from "./delayed-log.ts";
import {
  googleError,
  invalidArgument,
  permissionDenied,
  quotaExceeded,
  serverError,
  unauthenticated,
} from "./google-error.ts";
import { type GoogleActivity, GoogleActivityGenerator } from "./google-reports-events.ts";
import { parseReportsQuery, selectReportsPage } from "./google-reports-query.ts";
import {
  type CommonMockOptions,
  type MockReply,
  type MockRequest,
  type RecordedRequest,
  serveMock,
} from "./http-mock.ts";

export type { GoogleActivity } from "./google-reports-events.ts";

/** Options for {@link startGoogleReportsMock}; every field is optional (`events` counts per application). */
export interface GoogleReportsMockOptions extends CommonMockOptions {
  /** Applications that get generated activities; default login, admin, drive, token, saml. */
  readonly applications?: readonly string[];
  readonly customerId?: string;
  readonly domain?: string;
  /** How long after {@link GoogleReportsMock.addLateEvents} late activities become visible; default 0. */
  readonly lateDelayMs?: number;
  /** True: the token's user is not an admin (or not delegated), so every call answers 403. */
  readonly permissionDenied?: boolean;
}

interface AddOptions {
  readonly application?: string;
  readonly atMs?: number;
}

/** A running mock; `close()` it when done. */
export interface GoogleReportsMock {
  readonly url: string;
  /** `${url}/admin/reports/v1/activity/users/all/applications/<application>`. */
  activitiesUrl(application: string): string;
  /** Send as `Authorization: Bearer <token>`. */
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Every activity in arrival order, visible yet or not. */
  readonly events: readonly GoogleActivity[];
  /** Appends `n` generated activities for one application (default the first) or the given ones, visible at once. */
  addEvents(
    eventsOrCount: number | readonly GoogleActivity[],
    options?: AddOptions,
  ): readonly GoogleActivity[];
  /** Adds `count` activities timed from `atMs` (in the past), visible only after the delay on the mock clock. */
  addLateEvents(
    count: number,
    options: AddOptions & { readonly atMs: number; readonly delayMs?: number },
  ): readonly GoogleActivity[];
  /** The next `count` authorised requests exceed the quota: 429 (default) or 403 `userRateLimitExceeded`. */
  rateLimitNext(count: number, status?: 403 | 429): void;
  /** The next `count` authorised requests get a 5xx (`status`, default 503 backendError). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

const ROUTE = /^\/admin\/reports\/v1\/activity\/users\/([^/]+)\/applications\/([^/]+)$/;
const KNOWN_APPLICATIONS = new Set(
  "access_transparency admin calendar chat chrome context_aware_access data_studio drive gcp gmail groups groups_enterprise jamboard keep login meet mobile rules saml token user_accounts vault".split(
    " ",
  ),
);
const DEFAULT_TOKEN = "ya29.a0AfB_byHelrMockReportsAccessToken0123456789abcdefABCDEF";

/** Starts the mock on 127.0.0.1 and resolves once it is listening. */
export async function startGoogleReportsMock(
  options: GoogleReportsMockOptions = {},
): Promise<GoogleReportsMock> {
  const api = new GoogleReportsApi(options);
  const ids = seededRandom((options.seed ?? 1) ^ 0x600);
  const server = await serveMock(
    { port: options.port, tls: options.tls, requestId: () => ids.hex(16) },
    (request) => api.answer(request),
  );
  return {
    url: server.url,
    activitiesUrl: (application) =>
      `${server.url}/admin/reports/v1/activity/users/all/applications/${application}`,
    token: api.token,
    requests: server.requests,
    events: api.log.items,
    addEvents: (eventsOrCount, add = {}) => api.addEvents(eventsOrCount, add.application, add.atMs),
    addLateEvents: (count, add) => api.addLateEvents(count, add.application, add.atMs, add.delayMs),
    rateLimitNext: (count, status = 429) => api.limits.arm(count, status),
    failNext: (count, status = 503) => api.failures.arm(count, status),
    close: () => server.close(),
  };
}

/** The mock's state and request handling, apart from the socket. */
class GoogleReportsApi {
  readonly token: string;
  readonly log = new DelayedLog<GoogleActivity>();
  readonly limits = new Countdown<403 | 429>();
  readonly failures = new Countdown<number>();
  readonly #options: GoogleReportsMockOptions;
  readonly #now: () => number;
  readonly #customerId: string;
  readonly #applications: readonly string[];
  readonly #generator: GoogleActivityGenerator;
  readonly #etags: SeededRandom;

  constructor(options: GoogleReportsMockOptions) {
    const seed = options.seed ?? 1;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.token = options.token ?? DEFAULT_TOKEN;
    this.#customerId = options.customerId ?? "C03az79cb";
    this.#applications = options.applications ?? ["login", "admin", "drive", "token", "saml"];
    const tenant = { customerId: this.#customerId, domain: options.domain ?? "acme.example" };
    this.#generator = new GoogleActivityGenerator(
      seed,
      toEpochMs(options.startTime ?? DEFAULT_START),
      tenant,
    );
    this.#etags = seededRandom(seed ^ 0xe7a9);
    this.log.add(
      this.#generator.generate(this.#applications, (options.events ?? 0) * this.#applications.length),
    );
  }

  addEvents(
    eventsOrCount: number | readonly GoogleActivity[],
    application?: string,
    atMs?: number,
  ): readonly GoogleActivity[] {
    if (typeof eventsOrCount !== "number") return this.log.add(eventsOrCount);
    return this.log.add(this.#generator.generate([application ?? this.#firstApp()], eventsOrCount, atMs));
  }

  addLateEvents(
    count: number,
    application: string | undefined,
    atMs: number,
    delayMs?: number,
  ): readonly GoogleActivity[] {
    const late = this.#generator.at([application ?? this.#firstApp()], count, atMs).activities;
    return this.log.add(late, this.#now() + (delayMs ?? this.#options.lateDelayMs ?? 0));
  }

  /** Route and credentials, injected faults, the application and parameters, then the page. */
  answer(request: MockRequest): MockReply {
    const route = request.method === "GET" ? ROUTE.exec(request.url.pathname) : null;
    if (route === null)
      return googleError({ code: 404, status: "NOT_FOUND", message: "Not Found", reason: "notFound" });
    if (request.headers.authorization !== `Bearer ${this.token}`) return googleError(unauthenticated(true));
    if (this.#options.permissionDenied === true) {
      return googleError(permissionDenied("Not Authorized to access this resource/api", true));
    }
    const limited = this.limits.take();
    if (limited !== undefined) return googleError(quotaExceeded(limited, "admin.googleapis.com", true));
    const failure = this.failures.take();
    if (failure !== undefined) return googleError(serverError(failure, true));
    const userKey = route[1] ?? "all";
    const application = route[2] ?? "";
    if (!KNOWN_APPLICATIONS.has(application)) {
      const message = `Invalid value '${application}'. Values must match the following regular expression: '(admin)|(calendar)|(drive)|(login)|(saml)|(token)|…'`;
      return googleError(invalidArgument(message, true));
    }
    const parsed = parseReportsQuery(request.url.searchParams, this.#now(), this.#customerId);
    if ("error" in parsed) return googleError(invalidArgument(parsed.error, true));
    const activities = this.log
      .visible(this.#now())
      .filter(
        (a) => a.id.applicationName === application && (userKey === "all" || actorEmail(a) === userKey),
      );
    const page = selectReportsPage(activities, parsed.query, this.#customerId);
    const head = {
      kind: "admin#reports#activities",
      etag: `"${this.#etags.token(27)}/${this.#etags.token(27)}"`,
    };
    // Google leaves empty lists out of JSON: no results means no `items` key at all.
    const items = page.items.length === 0 ? {} : { items: page.items };
    const next = page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken };
    return { status: 200, body: { ...head, ...items, ...next } };
  }

  #firstApp(): string {
    return this.#applications[0] ?? "login";
  }
}

const actorEmail = (activity: GoogleActivity): unknown =>
  (activity.actor as { email?: unknown } | undefined)?.email;
