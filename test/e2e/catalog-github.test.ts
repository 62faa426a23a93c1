/**
 * The GitHub catalog sources, built unchanged and run against the HTTPS GitHub audit-log mock
 * (issue 7): sources/github-org-audit-log.yaml and sources/github-enterprise-audit-log.yaml.
 * Each: every event exactly once across runs (the kept last page is re-read, dedupe on
 * `_document_id`), the second run resumes from the stored link, a rate-limit 403 is waited out,
 * and the typical mistake (no Enterprise Cloud: 404; a bad token: 401) says what to fix.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/bundle.ts";
import {
  arrivalTimes,
  buildCatalogSource,
  type CatalogBundle,
  type CatalogPki,
  type CatalogRun,
  catalogIr,
  catalogPki,
} from "../support/catalog.ts";
import { type GitHubAuditEvent, type GitHubMock, startGitHubMock } from "../support/mocks/github-mock.ts";
import type { RecordedRequest } from "../support/mocks/http-mock.ts";

const TOKEN = "ghp_helrE2eCatalogToken0a1b2c3d4e5f6g7h8";
let pki: CatalogPki;
beforeAll(() => {
  pki = catalogPki();
});
afterAll(() => pki?.cleanup());

const ids = (run: CatalogRun) => run.lines.map((line) => line.event._document_id);
const queryOf = (url: string | undefined) => Object.fromEntries(new URL(url ?? "").searchParams);
const web = (e: GitHubAuditEvent) => !e.action.startsWith("git.");
const inOrg = (e: GitHubAuditEvent) => web(e) && e.org === "acme";

describe.each([
  ["sources/github-org-audit-log.yaml", "sources-helr/github-org-audit-log.helr"],
  ["sources/github-enterprise-audit-log.yaml", "sources-helr/github-enterprise-audit-log.helr"],
])("%s", (yaml, helr) => {
  it("compiles with no diagnostics under --strict, to the same IR as its .helr twin", () => {
    const fromYaml = catalogIr(yaml);
    expect(fromYaml.diagnostics).toEqual([]);
    expect(catalogIr(helr)).toEqual(fromYaml);
  });

  it("is shown verbatim, in both forms, in docs/integrations/github.md", () => {
    const guide = readFileSync(join(ROOT, "docs/integrations/github.md"), "utf8");
    expect(guide).toContain(`\`\`\`yaml\n${readFileSync(join(ROOT, yaml), "utf8")}\`\`\``);
    expect(guide).toContain(`\`\`\`helr\n${readFileSync(join(ROOT, helr), "utf8")}\`\`\``);
  });
});

describe("github-org-audit-log", () => {
  const ID = "github-org-audit-log";
  let mock: GitHubMock;
  let github: CatalogBundle;
  let arrival: (request: RecordedRequest) => number;
  const env = (extra: Record<string, string> = {}) => ({
    GITHUB_API_HOST: new URL(mock.url).host,
    GITHUB_ORG: "acme",
    GITHUB_TOKEN: TOKEN,
    ...extra,
  });

  beforeAll(async () => {
    mock = await startGitHubMock({
      tls: pki.tls,
      token: TOKEN,
      seed: 5,
      events: 400,
      secondaryRetryAfterSecs: 2,
    });
    arrival = arrivalTimes(mock.requests);
    github = await buildCatalogSource("sources/github-org-audit-log.yaml", pki);
  });
  afterAll(async () => {
    github?.remove();
    await mock?.close();
  });

  it("reads the org's log oldest first with GitHub's required headers, and keeps the last page's URL", async () => {
    const expected = mock.events.filter(inOrg);
    const run = await github.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(expected.map((e) => e._document_id));
    // Epoch milliseconds become RFC 3339 `ts`.
    expect(run.lines[0]?.ts).toBe(new Date(expected[0]?.["@timestamp"] ?? 0).toISOString());
    expect(run.lines[0]?.meta).toMatchObject({ id: expected[0]?._document_id, message: expected[0]?.action });
    const [first, ...rest] = mock.requests;
    expect(first?.query).toEqual({ per_page: "100", order: "asc" });
    expect(rest.every((r) => r.query.after !== "")).toBe(true);
    for (const request of mock.requests) {
      expect(request.headers).toMatchObject({
        authorization: `Bearer ${TOKEN}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        "user-agent": "helr-audit-log",
      });
    }
    expect(mock.requests).toHaveLength(Math.ceil(expected.length / 100));
    const state = (await github.state())[ID];
    expect(queryOf(state?.next_url)).toEqual(mock.requests.at(-1)?.query);
  });

  it("re-reads the kept page for new events, waits out a secondary rate limit, and writes each event once", async () => {
    const stored = (await github.state())[ID]?.next_url;
    const added = mock.addEvents(60).filter(inOrg);
    mock.rateLimitNext(1, "secondary");
    const before = mock.requests.length;
    const run = await github.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(added.map((e) => e._document_id));
    const [limited, retry] = mock.requests.slice(before);
    // The first request of the run is the stored link: the position resumed.
    expect(limited?.query).toEqual(queryOf(stored));
    expect(limited?.status).toBe(403);
    expect(retry?.query).toEqual(limited?.query);
    expect(retry?.status).toBe(200);
    // The secondary limit's 403 carried `retry-after: 2`; the mock saw the retry no sooner.
    expect(retry && limited && arrival(retry) - arrival(limited)).toBeGreaterThanOrEqual(2000);
  });

  it("writes nothing twice when nothing is new", async () => {
    const run = await github.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines).toEqual([]);
  });

  it("names the source, the 404 and GitHub's message for an org without Enterprise Cloud", async () => {
    const plain = await startGitHubMock({ tls: pki.tls, token: TOKEN, enterpriseCloud: false });
    try {
      // A fresh state file: a stored link would still point at the first mock.
      const args = ["run", "--once", "--state-path", "plain.db"];
      const run = await github.run(args, env({ GITHUB_API_HOST: new URL(plain.url).host }));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/github-org-audit-log: FAILED/);
      expect(run.stderr).toMatch(
        /source "github-org-audit-log": GET https:\/\/127\.0\.0\.1:\d+\/orgs\/acme\/audit-log\?per_page=100&order=asc returned HTTP 404: \{"message":"Not Found"/,
      );
    } finally {
      await plain.close();
    }
  });
});

describe("github-enterprise-audit-log", () => {
  const ID = "github-enterprise-audit-log";
  let mock: GitHubMock;
  let github: CatalogBundle;
  let arrival: (request: RecordedRequest) => number;
  const env = (extra: Record<string, string> = {}) => ({
    GITHUB_API_HOST: new URL(mock.url).host,
    GITHUB_ENTERPRISE: "acme-ent",
    GITHUB_TOKEN: TOKEN,
    ...extra,
  });

  beforeAll(async () => {
    // Primary limits as 403 (GitHub sends 403 or 429) in 2-second windows, so the reset is near.
    mock = await startGitHubMock({
      tls: pki.tls,
      token: TOKEN,
      seed: 9,
      events: 180,
      primaryLimitStatus: 403,
      rateLimit: { windowSecs: 2 },
    });
    arrival = arrivalTimes(mock.requests);
    github = await buildCatalogSource("sources/github-enterprise-audit-log.yaml", pki);
  });
  afterAll(async () => {
    github?.remove();
    await mock?.close();
  });

  it("starts from GITHUB_AUDIT_PHRASE and reads every org's web events", async () => {
    const from = mock.events[30]?.created_at ?? 0;
    const second = Math.floor(from / 1000) * 1000;
    const phrase = `created:>=${new Date(second).toISOString().replace(".000Z", "Z")}`;
    const expected = mock.events.filter((e) => web(e) && e.created_at >= second);
    const run = await github.run(["run", "--once"], env({ GITHUB_AUDIT_PHRASE: phrase }));
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(expected.map((e) => e._document_id));
    expect(mock.requests[0]?.query).toEqual({ per_page: "100", order: "asc", phrase });
    // GitHub keeps the phrase in its links, so the kept position keeps filtering.
    expect(queryOf((await github.state())[ID]?.next_url)).toMatchObject({ phrase });
  });

  it("resumes from the kept page and waits for x-ratelimit-reset after a primary-limit 403", async () => {
    const stored = (await github.state())[ID]?.next_url;
    const added = mock.addEvents(25).filter(web);
    mock.rateLimitNext(1, "primary");
    const before = mock.requests.length;
    const run = await github.run(["run", "--once", "--record-dir", "recordings"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(ids(run)).toEqual(added.map((e) => e._document_id));
    const [limited, retry] = mock.requests.slice(before);
    expect(limited?.query).toEqual(queryOf(stored));
    expect(limited?.status).toBe(403);
    expect(retry?.query).toEqual(limited?.query);
    const [recorded] = github.recordings(ID);
    expect(recorded?.headers["x-ratelimit-remaining"]).toBe("0");
    const reset = Number(recorded?.headers["x-ratelimit-reset"]);
    expect(retry && arrival(retry)).toBeGreaterThanOrEqual(reset * 1000);
  });

  it("names the source, the 401 and GitHub's message for a bad token, without echoing it", async () => {
    const run = await github.run(
      ["run", "--once"],
      env({ GITHUB_TOKEN: "ghp_revokedTokenValue0000000000000000" }),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /source "github-enterprise-audit-log": GET https:\/\/127\.0\.0\.1:\d+\/enterprises\/acme-ent\/audit-log\?\S* returned HTTP 401: \{"message":"Bad credentials"/,
    );
    expect(run.stderr).not.toContain("ghp_revokedTokenValue");
  });
});
