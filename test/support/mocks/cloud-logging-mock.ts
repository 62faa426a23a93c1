/**
 * A faithful local mock of Cloud Logging `entries.list` (vendor-apis §7): `POST /v2/entries:list`.
 *
 * Quirks: `Authorization: Bearer <access token>` compared exactly; a JSON body with `resourceNames`
 * (required), `filter` (an AND-only subset of the query language), `orderBy`, `pageSize` (default 50,
 * > 1000 is a 400) and `pageToken`; "keep going" pages with NO entries but a `nextPageToken`
 * (`emptyPageEvery`); tokens bound to the other parameters and valid 24 h; LogEntry samples with
 * nanosecond timestamps; Google error envelopes (gRPC style, no `errors[]`) on 400/401/403/429/5xx.
 */
import { seededRandom } from "../seeded-random.ts";
import { type LogEntry, LogEntryGenerator } from "./cloud-logging-entries.ts";
import { type ListRequest, pageToken, parseListRequest, selectEntries } from "./cloud-logging-query.ts";
import { DEFAULT_START, toEpochMs } from "./codec.ts";
import { Countdown } from "./countdown.ts";
import {
  googleError,
  invalidArgument,
  permissionDenied,
  quotaExceeded,
  serverError,
  unauthenticated,
} from "./google-error.ts";
import {
  type CommonMockOptions,
  type MockReply,
  type MockRequest,
  type RecordedRequest,
  serveMock,
} from "./http-mock.ts";

export type { LogEntry } from "./cloud-logging-entries.ts";

/** Options for {@link startCloudLoggingMock}; every field is optional. */
export interface CloudLoggingMockOptions extends CommonMockOptions {
  /** The project the entries belong to and the caller may read; default `acme-prod`. */
  readonly project?: string;
  /**
   * Every Nth successful `entries:list` answer is a "keep going" page: no entries, a token that resumes
   * at the same place. At least 2 (so the walk always progresses); default never.
   */
  readonly emptyPageEvery?: number;
  /** How a keep-going page says "no entries": `absent` (default, as Google's JSON omits empty lists) or `empty` (`[]`). */
  readonly emptyPageShape?: "absent" | "empty";
}

/** A running mock; `close()` it when done. */
export interface CloudLoggingMock {
  readonly url: string;
  /** `${url}/v2/entries:list`. */
  readonly listUrl: string;
  /** Send as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** `projects/<project>`, the resource name to list. */
  readonly resourceName: string;
  readonly requests: RecordedRequest[];
  /** Every entry in arrival order. */
  readonly events: readonly LogEntry[];
  /** Appends `n` generated entries (no earlier than `atMs`) or the given ones; returns what was added. */
  addEvents(eventsOrCount: number | readonly LogEntry[], atMs?: number): readonly LogEntry[];
  /** The next `count` authorised requests get 429 RESOURCE_EXHAUSTED. */
  rateLimitNext(count: number): void;
  /** The next `count` authorised requests get a 5xx (`status`, default 503 UNAVAILABLE). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

const LIST_PATH = "/v2/entries:list";
const DEFAULT_TOKEN = "ya29.c.b0AXv0zTHelrMockLoggingAccessToken0123456789abcdef";

/** Starts the mock on 127.0.0.1 and resolves once it is listening. */
export async function startCloudLoggingMock(
  options: CloudLoggingMockOptions = {},
): Promise<CloudLoggingMock> {
  const api = new CloudLoggingApi(options);
  const ids = seededRandom((options.seed ?? 1) ^ 0x109);
  const server = await serveMock(
    { port: options.port, tls: options.tls, requestId: () => ids.hex(16) },
    (request) => api.answer(request),
  );
  return {
    url: server.url,
    listUrl: `${server.url}${LIST_PATH}`,
    token: api.token,
    resourceName: api.resourceName,
    requests: server.requests,
    events: api.log,
    addEvents: (eventsOrCount, atMs) => api.addEvents(eventsOrCount, atMs),
    rateLimitNext: (count) => api.limits.arm(count, true),
    failNext: (count, status = 503) => api.failures.arm(count, status),
    close: () => server.close(),
  };
}

/** The mock's state and request handling, apart from the socket. */
class CloudLoggingApi {
  readonly token: string;
  readonly resourceName: string;
  readonly log: LogEntry[];
  readonly limits = new Countdown<true>();
  readonly failures = new Countdown<number>();
  readonly #options: CloudLoggingMockOptions;
  readonly #now: () => number;
  readonly #generator: LogEntryGenerator;
  /** Successful list answers so far, for `emptyPageEvery`. */
  #served = 0;

  constructor(options: CloudLoggingMockOptions) {
    const every = options.emptyPageEvery;
    if (every !== undefined && (!Number.isInteger(every) || every < 2)) {
      throw new Error("startCloudLoggingMock: emptyPageEvery must be an integer of at least 2");
    }
    const project = options.project ?? "acme-prod";
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.token = options.token ?? DEFAULT_TOKEN;
    this.resourceName = `projects/${project}`;
    this.#generator = new LogEntryGenerator(
      options.seed ?? 1,
      toEpochMs(options.startTime ?? DEFAULT_START),
      project,
    );
    this.log = this.#generator.generate(options.events ?? 0);
  }

  addEvents(eventsOrCount: number | readonly LogEntry[], atMs?: number): readonly LogEntry[] {
    const added =
      typeof eventsOrCount === "number" ? this.#generator.generate(eventsOrCount, atMs) : [...eventsOrCount];
    this.log.push(...added);
    return added;
  }

  /** Route and credentials, injected faults, the body and project, then a page or a keep-going page. */
  answer(request: MockRequest): MockReply {
    if (request.url.pathname !== LIST_PATH || request.method !== "POST") {
      const message = `The requested URL ${request.url.pathname} was not found on this server.`;
      return googleError({ code: 404, status: "NOT_FOUND", message });
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) return googleError(unauthenticated(false));
    if (this.limits.take() !== undefined)
      return googleError(quotaExceeded(429, "logging.googleapis.com", false));
    const failure = this.failures.take();
    if (failure !== undefined) return googleError(serverError(failure, false));
    const parsed = parseListRequest(request.body, this.#now());
    if ("error" in parsed) return googleError(invalidArgument(parsed.error, false));
    const denied = parsed.request.resourceNames.find((name) => name !== this.resourceName);
    if (denied !== undefined) {
      return googleError(
        permissionDenied(`The caller does not have permission to read logs of ${denied}`, false),
      );
    }
    const page = selectEntries(this.log, parsed.request, this.#now());
    if ("error" in page) return googleError(invalidArgument(page.error, false));
    this.#served++;
    const every = this.#options.emptyPageEvery;
    if (every !== undefined && this.#served % every === 0) return this.#keepGoing(parsed.request);
    const entries = page.entries.length === 0 ? {} : { entries: page.entries };
    const next = page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken };
    return { status: 200, body: { ...entries, ...next } };
  }

  /** The search "ran out of time": no entries, and a token that resumes exactly where this request began. */
  #keepGoing(request: ListRequest): MockReply {
    const entries = this.#options.emptyPageShape === "empty" ? { entries: [] } : {};
    return {
      status: 200,
      body: { ...entries, nextPageToken: pageToken(request, request.after, this.#now()) },
    };
  }
}
