/**
 * A faithful local mock of the GitHub audit-log API (vendor-apis §2): `GET /orgs/{org}/audit-log` and
 * `GET /enterprises/{enterprise}/audit-log`.
 *
 * Quirks: a `User-Agent` is required (403 without); `Bearer` or legacy `token` auth; `per_page` capped at
 * 100; `order=asc|desc` (default newest first); `after`/`before` cursors in ONE comma-joined `link`
 * header with `next`, `first` and `prev`, and no `link` header at all on the last page; epoch-ms times;
 * `x-ratelimit-*` on every answer, primary limits as 429 (or 403) with `x-ratelimit-remaining: 0`, the
 * secondary limit as 403 with `retry-after`; `x-github-request-id`; git events only with `include=git|all`;
 * 404 when the org is not on GitHub Enterprise Cloud.
 */
import { seededRandom } from "../seeded-random.ts";
import { DEFAULT_START, toEpochMs } from "./codec.ts";
import { Countdown, RateWindow } from "./countdown.ts";
import { type GitHubAuditEvent, GitHubEventGenerator, requestId } from "./github-events.ts";
import { type AuditPage, type GitHubErrorInfo, parseAuditQuery, selectAuditPage } from "./github-query.ts";
import {
  type CommonMockOptions,
  type MockReply,
  type MockRequest,
  type RecordedRequest,
  serveMock,
} from "./http-mock.ts";

export type { GitHubAuditEvent } from "./github-events.ts";

/** Options for {@link startGitHubMock}; every field is optional. */
export interface GitHubMockOptions extends CommonMockOptions {
  /** The organization under test; default `acme`. */
  readonly org?: string;
  /** A second org of the same enterprise, whose events show only in the enterprise log; default `acme-labs`. */
  readonly sisterOrg?: string;
  /** The enterprise slug; default `acme-ent`. */
  readonly enterprise?: string;
  /** False: the org is not on Enterprise Cloud, so both audit-log endpoints answer 404. Default true. */
  readonly enterpriseCloud?: boolean;
  /** Primary rate limit window: default 5000 per 3600 s, counted but not enforced. */
  readonly rateLimit?: { readonly limit?: number; readonly windowSecs?: number; readonly enforce?: boolean };
  /** Status of a primary rate-limit answer: 429 (default) or 403. */
  readonly primaryLimitStatus?: 403 | 429;
  /** `retry-after` seconds on a secondary rate-limit answer; default 60. */
  readonly secondaryRetryAfterSecs?: number;
}

/** A running mock; `close()` it when done. */
export interface GitHubMock {
  readonly url: string;
  /** `${url}/orgs/{org}/audit-log`. */
  readonly orgAuditLogUrl: string;
  /** `${url}/enterprises/{enterprise}/audit-log`. */
  readonly enterpriseAuditLogUrl: string;
  /** Send as `Authorization: Bearer <token>` (or `token <token>`). */
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Every event of the enterprise (all orgs plus enterprise-level events), oldest first. */
  readonly events: readonly GitHubAuditEvent[];
  /** Appends `n` generated events (no earlier than `atMs`) or the given ones; returns what was added. */
  addEvents(eventsOrCount: number | readonly GitHubAuditEvent[], atMs?: number): readonly GitHubAuditEvent[];
  /** The next `count` authorised requests hit the primary (default) or the secondary rate limit. */
  rateLimitNext(count: number, kind?: "primary" | "secondary"): void;
  /** The next `count` authorised requests get a 5xx (`status`, default 502 "Server Error"). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest";
const NO_USER_AGENT =
  "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.";
const SECONDARY_LIMIT =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";
const DEFAULT_TOKEN = "ghp_helrMockR8cKq2V9wZt4LmN0pXy7Ab3dEf5Gh1";

/** Starts the mock on 127.0.0.1 and resolves once it is listening. */
export async function startGitHubMock(options: GitHubMockOptions = {}): Promise<GitHubMock> {
  const api = new GitHubAuditApi(options);
  const ids = seededRandom((options.seed ?? 1) ^ 0x617);
  const server = await serveMock(
    {
      port: options.port,
      tls: options.tls,
      requestId: () => requestId(ids),
      requestIdHeader: "x-github-request-id",
    },
    (request) => api.answer(request),
  );
  return {
    url: server.url,
    orgAuditLogUrl: `${server.url}/orgs/${api.tenancy.org}/audit-log`,
    enterpriseAuditLogUrl: `${server.url}/enterprises/${api.tenancy.enterprise}/audit-log`,
    token: api.token,
    requests: server.requests,
    events: api.log,
    addEvents: (eventsOrCount, atMs) => api.addEvents(eventsOrCount, atMs),
    rateLimitNext: (count, kind = "primary") => api.limits.arm(count, kind),
    failNext: (count, status = 502) => api.failures.arm(count, status),
    close: () => server.close(),
  };
}

/** The mock's state and request handling, apart from the socket. */
class GitHubAuditApi {
  readonly token: string;
  readonly log: GitHubAuditEvent[];
  readonly tenancy: { readonly org: string; readonly sisterOrg: string; readonly enterprise: string };
  readonly limits = new Countdown<"primary" | "secondary">();
  readonly failures = new Countdown<number>();
  readonly #options: GitHubMockOptions;
  readonly #now: () => number;
  readonly #generator: GitHubEventGenerator;
  readonly #window: RateWindow;

  constructor(options: GitHubMockOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.token = options.token ?? DEFAULT_TOKEN;
    this.tenancy = {
      org: options.org ?? "acme",
      sisterOrg: options.sisterOrg ?? "acme-labs",
      enterprise: options.enterprise ?? "acme-ent",
    };
    const start = toEpochMs(options.startTime ?? DEFAULT_START);
    this.#generator = new GitHubEventGenerator(options.seed ?? 1, start, this.tenancy);
    this.#window = new RateWindow(
      options.rateLimit?.limit ?? 5000,
      (options.rateLimit?.windowSecs ?? 3600) * 1000,
    );
    this.log = this.#generator.generate(options.events ?? 0);
  }

  addEvents(eventsOrCount: number | readonly GitHubAuditEvent[], atMs?: number): readonly GitHubAuditEvent[] {
    const added =
      typeof eventsOrCount === "number" ? this.#generator.generate(eventsOrCount, atMs) : [...eventsOrCount];
    this.log.push(...added);
    return added;
  }

  /** User-Agent and auth, rate limits and injected faults, the route, then the page. */
  answer(request: MockRequest): MockReply {
    const denied = this.#deny(request);
    if (denied !== undefined) return denied;
    const rate = this.#window.take(this.#now());
    const rateHeaders = {
      "x-ratelimit-limit": String(this.#window.limit),
      "x-ratelimit-remaining": String(rate.remaining),
      "x-ratelimit-reset": String(rate.resetSecs),
      "x-ratelimit-used": String(rate.used),
      "x-ratelimit-resource": "core",
    };
    const exceeded = this.#options.rateLimit?.enforce === true && rate.used > this.#window.limit;
    const limit = this.limits.take() ?? (exceeded ? "primary" : undefined);
    if (limit !== undefined) return this.#rateLimited(limit, rateHeaders);
    const failure = this.failures.take();
    if (failure !== undefined) return error({ status: failure, message: "Server Error" }, rateHeaders);
    const scoped = request.method === "GET" ? this.#scope(request.url.pathname) : undefined;
    if (scoped === undefined) return error({ status: 404, message: "Not Found" }, rateHeaders);
    const query = parseAuditQuery(request.url.searchParams);
    if ("error" in query) return error(query.error, rateHeaders);
    const page = selectAuditPage(scoped, query.value);
    if ("error" in page) return error(page.error, rateHeaders);
    const link = linkHeader(request.url, page.value);
    return { status: 200, body: page.value.events, headers: { ...rateHeaders, ...link, ...VERSION_HEADERS } };
  }

  /** 403 without a User-Agent (checked first, at GitHub's edge), 401 without valid credentials. */
  #deny({ headers }: MockRequest): MockReply | undefined {
    if (!headers["user-agent"]) return error({ status: 403, message: NO_USER_AGENT }, {});
    const authorization = headers.authorization;
    if (authorization === undefined) return error({ status: 401, message: "Requires authentication" }, {});
    if (authorization !== `Bearer ${this.token}` && authorization !== `token ${this.token}`) {
      return error({ status: 401, message: "Bad credentials" }, {});
    }
    return undefined;
  }

  /** Primary: 429 (or 403) with `x-ratelimit-remaining: 0`. Secondary: 403 with `retry-after`. */
  #rateLimited(kind: "primary" | "secondary", rateHeaders: Record<string, string>): MockReply {
    const docs = `${DOCS}/overview/rate-limits-for-the-rest-api`;
    if (kind === "primary") {
      const status = this.#options.primaryLimitStatus ?? 429;
      const message = "API rate limit exceeded for user ID 583231.";
      return error({ status, message }, { ...rateHeaders, "x-ratelimit-remaining": "0" }, docs);
    }
    const retryAfter = String(this.#options.secondaryRetryAfterSecs ?? 60);
    const headers = { ...rateHeaders, "retry-after": retryAfter };
    return error({ status: 403, message: SECONDARY_LIMIT }, headers, `${docs}#about-secondary-rate-limits`);
  }

  /** The events an audit-log path may see, or undefined for an unknown path, org or enterprise. */
  #scope(path: string): GitHubAuditEvent[] | undefined {
    if (this.#options.enterpriseCloud === false) return undefined;
    const { org, sisterOrg, enterprise } = this.tenancy;
    const match = /^\/(orgs|enterprises)\/([^/]+)\/audit-log$/.exec(path);
    if (match === null) return undefined;
    const [, kind, name] = match;
    if (kind === "enterprises") return name === enterprise ? this.log : undefined;
    return name === org || name === sisterOrg ? this.log.filter((e) => e.org === name) : undefined;
  }
}

const VERSION_HEADERS = {
  "x-github-api-version-selected": "2022-11-28",
  "x-github-media-type": "github.v3; format=json",
};

/** One `link` header with next, first and (past the first page) prev; none at all on the last page. */
function linkHeader(url: URL, page: AuditPage): Record<string, string> {
  if (page.next === undefined) return {};
  const link = (after: string, before: string, rel: string): string => {
    const params = new URLSearchParams(url.searchParams);
    params.delete("after");
    params.delete("before");
    params.append("after", after);
    params.append("before", before);
    return `<${url.origin}${url.pathname}?${params}>; rel="${rel}"`;
  };
  const links = [link(page.next, "", "next"), link("", "", "first")];
  if (page.prev !== undefined) links.push(link("", page.prev, "prev"));
  return { link: links.join(", ") };
}

function error(
  info: GitHubErrorInfo,
  headers: Record<string, string>,
  documentationUrl = `${DOCS}/enterprise-admin/audit-log`,
): MockReply {
  return {
    status: info.status,
    body: { message: info.message, documentation_url: documentationUrl },
    headers: { ...headers, ...VERSION_HEADERS },
  };
}
