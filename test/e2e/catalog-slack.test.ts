/**
 * sources/slack-audit.yaml, built unchanged and run against an HTTPS mock of the Slack Audit Logs API
 * (issue 7): entries newest first behind `response_metadata.next_cursor`, `limit` on every page, an
 * inclusive `oldest` taken from the newest `date_create` and deduplicated on `id`, a 429 that carries
 * only `Retry-After`, `invalid_cursor` answered by a reset even with retries configured, and Slack's
 * HTTP 200 `ok:false` errors turned into a message that says what to fix.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT, runProcess } from "../support/bundle.ts";
import {
  arrivalTimes,
  buildCatalogSource,
  type CatalogBundle,
  type CatalogPki,
  type CatalogRun,
  catalogIr,
  catalogPki,
} from "../support/catalog.ts";
import type { RecordedRequest } from "../support/mocks/http-mock.ts";
import { type SlackAuditEntry, type SlackMock, startSlackMock } from "../support/mocks/slack-mock.ts";

const ID = "slack-audit";
const YAML = "sources/slack-audit.yaml";

let pki: CatalogPki;
let slack: CatalogBundle;
beforeAll(async () => {
  pki = catalogPki();
  slack = await buildCatalogSource(YAML, pki);
});
afterAll(() => {
  slack?.remove();
  pki?.cleanup();
});

const ids = (run: CatalogRun) => run.lines.map((line) => line.event.id);
const idsOf = (entries: readonly SlackAuditEntry[]) => entries.map((entry) => entry.id);
const hostOf = (mock: SlackMock) => new URL(mock.url).host;
const envFor = (mock: SlackMock, extra: Record<string, string> = {}) => ({
  SLACK_API_HOST: hostOf(mock),
  SLACK_AUDIT_TOKEN: mock.token,
  ...extra,
});

/** A bundle command whose stdout is not NDJSON (`state set`). */
async function helr(args: readonly string[]): Promise<string> {
  const result = await runProcess(process.execPath, [join(slack.dir, "helr.js"), ...args], {
    cwd: slack.dir,
    env: cleanEnv(),
  });
  if (result.code !== 0) throw new Error(`helr ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/** The requests one run made: those recorded after `from`. */
const since = (mock: SlackMock, from: number): RecordedRequest[] => mock.requests.slice(from);

describe(YAML, () => {
  it("compiles with no diagnostics under --strict, to the same IR as its .helr twin", () => {
    const fromYaml = catalogIr(YAML);
    expect(fromYaml.diagnostics).toEqual([]);
    expect(catalogIr("sources-helr/slack-audit.helr")).toEqual(fromYaml);
  });

  it("is shown verbatim, in both forms, in docs/integrations/slack.md", () => {
    const guide = readFileSync(join(ROOT, "docs/integrations/slack.md"), "utf8");
    for (const file of [YAML, "sources-helr/slack-audit.helr"])
      expect(guide).toContain(`\n${readFileSync(join(ROOT, file), "utf8")}\`\`\``);
  });
});

describe("slack-audit against the Slack mock", () => {
  let mock: SlackMock;
  let arrival: (request: RecordedRequest) => number;
  const seen: unknown[] = [];
  beforeAll(async () => {
    // 450 entries at 200 a page: three pages, the last with `next_cursor: ""`.
    mock = await startSlackMock({ tls: pki.tls, events: 450, seed: 7, retryAfterSecs: 1 });
    arrival = arrivalTimes(mock.requests);
  });
  afterAll(() => mock?.close());

  it("reads every page with limit on each, and dates each line from date_create", async () => {
    const run = await slack.run(["run", "--once"], envFor(mock));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${ID}: ok — 3 requests, 450 events, stopped: end`);
    seen.push(...ids(run));
    expect(ids(run)).toHaveLength(450);
    expect(new Set(ids(run))).toEqual(new Set(idsOf(mock.events)));

    const [first, ...pages] = mock.requests;
    expect(first?.query).toEqual({ limit: "200" });
    expect(pages).toHaveLength(2);
    for (const page of pages) {
      expect(page.query.limit).toBe("200");
      expect(page.query.cursor).toMatch(/\S/);
    }
    expect(mock.requests.every((r) => r.headers.authorization === `Bearer ${mock.token}`)).toBe(true);

    for (const line of run.lines) {
      expect(line.ts).toBe(new Date((line.event.date_create as number) * 1000).toISOString());
      expect(line.meta.id).toBe(line.event.id);
      expect(line.source).toBe(ID);
    }
    const newest = Math.max(...mock.events.map((e) => e.date_create));
    const state = (await slack.state())[ID];
    expect(state?.oldest).toBe(String(newest));
    expect(state?.cursor ?? "").toBe("");
  });

  it("resumes from oldest=<newest date_create>, drops the re-sent boundary, and waits out Retry-After", async () => {
    const mark = (await slack.state())[ID]?.oldest;
    const boundary = mock.events.filter((e) => String(e.date_create) === mark);
    expect(boundary.length).toBeGreaterThan(0);
    const added = mock.addEvents(12, (Number(mark) + 5) * 1000);
    mock.rateLimitNext(1);
    const from = mock.requests.length;

    const run = await slack.run(["run", "--once"], envFor(mock));
    expect(run.code, run.stderr).toBe(0);
    const [limited, retry, ...rest] = since(mock, from);
    expect(rest).toEqual([]);
    expect(limited?.status).toBe(429);
    expect(limited?.query).toEqual({ oldest: mark, limit: "200" });
    expect(retry?.query).toEqual(limited?.query);
    expect(retry?.status).toBe(200);
    // Retry-After: 1 — the retry arrived no sooner than a second after the 429.
    expect(arrival(retry as RecordedRequest) - arrival(limited as RecordedRequest)).toBeGreaterThanOrEqual(
      1000,
    );
    expect(run.stderr).toMatch(/"basis":"retry-after"/);

    // `oldest` is inclusive: the boundary entries came back and were not written again.
    expect(ids(run).sort()).toEqual(idsOf(added).sort());
    seen.push(...ids(run));
    expect(seen.sort()).toEqual(idsOf(mock.events).sort());
    const newest = Math.max(...added.map((e) => e.date_create));
    expect((await slack.state())[ID]?.oldest).toBe(String(newest));
  });

  it("answers Slack's invalid_cursor by starting again from oldest, with retries configured", async () => {
    const mark = (await slack.state())[ID]?.oldest;
    await helr(["state", "set", ID, "cursor", "dXNlcjpVMDYxTkZUVDI="]);
    const added = mock.addEvents(4, (Number(mark) + 5) * 1000);
    const from = mock.requests.length;

    const run = await slack.run(["run", "--once"], envFor(mock));
    expect(run.code, run.stderr).toBe(0);
    const [rejected, fresh, ...rest] = since(mock, from);
    expect(rest).toEqual([]);
    // Slack answers a stale cursor with HTTP 200 and {"ok": false, "error": "invalid_cursor"}.
    expect(rejected?.query.cursor).toBe("dXNlcjpVMDYxTkZUVDI=");
    expect(rejected?.status).toBe(200);
    expect(fresh?.query).toEqual({ oldest: mark, limit: "200" });
    expect(run.stderr).toContain("stored position rejected as expired");
    expect(ids(run).sort()).toEqual(idsOf(added).sort());
    seen.push(...ids(run));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await slack.state())[ID]?.cursor ?? "").toBe("");
  });

  it("names the source and the token variable when Slack says invalid_authentication", async () => {
    const before = await slack.state();
    const from = mock.requests.length;
    const run = await slack.run(["run", "--once"], envFor(mock, { SLACK_AUDIT_TOKEN: "xoxp-revoked-0000" }));
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([]);
    // Slack sends this error with HTTP 200; it still fails the poll, once (no retries).
    expect(since(mock, from).map((r) => r.status)).toEqual([200]);
    expect(run.stderr).toContain(`${ID}: FAILED — source "${ID}": https://${hostOf(mock)}/audit/v1/logs?`);
    expect(run.stderr).toContain(
      "API error: invalid_authentication; to fix: the API refused the credentials",
    );
    expect(run.stderr).toContain("the token in environment variable SLACK_AUDIT_TOKEN");
    expect(run.stderr).not.toContain("xoxp-revoked-0000");
    expect(await slack.state()).toEqual(before);
  });
});

describe("slack-audit against other Slack organizations", () => {
  it("says the org is not entitled when Slack answers feature_not_enabled", async () => {
    const mock = await startSlackMock({ tls: pki.tls, events: 3, featureEnabled: false });
    try {
      const run = await slack.run(["run", "--once", "--state-path", "not-enterprise.db"], envFor(mock));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${ID}: FAILED — source "${ID}"`);
      expect(run.stderr).toContain(
        "API error: feature_not_enabled; to fix: the account is not allowed to use this API",
      );
      expect(run.stderr).toContain("installed at the level the API requires");
    } finally {
      await mock.close();
    }
  });

  it("resets on invalid_cursor sent as HTTP 400, which is not retried", async () => {
    const mock = await startSlackMock({ tls: pki.tls, events: 30, seed: 11, errorStatuses: "http" });
    const state = ["--state-path", "http-errors.db"];
    try {
      const first = await slack.run(["run", "--once", ...state], envFor(mock));
      expect(first.code, first.stderr).toBe(0);
      await helr(["state", "set", ID, "cursor", "not-a-slack-cursor", ...state]);
      const added = mock.addEvents(2, Date.parse("2030-01-01T00:00:00Z"));
      const from = mock.requests.length;
      const run = await slack.run(["run", "--once", ...state], envFor(mock));
      expect(run.code, run.stderr).toBe(0);
      expect(since(mock, from).map((r) => [r.status, r.query.cursor ?? null])).toEqual([
        [400, "not-a-slack-cursor"],
        [200, null],
      ]);
      expect(ids(run).sort()).toEqual(idsOf(added).sort());
      expect([...ids(first), ...ids(run)].sort()).toEqual(idsOf(mock.events).sort());
    } finally {
      await mock.close();
    }
  });
});
