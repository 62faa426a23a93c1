/**
 * The Andromeda Security catalog source (issue 20): sources/andromeda-audit.yaml and its hook
 * script built unchanged and run against an HTTPS mock of the API (helr.md §7.7). The PAT is traded
 * for a session cookie by getAuth's fetch(), with the source's browser-like headers; the GraphQL
 * query pages newest first with `pageArgs {skip, pageSize}` until it reaches the watermark the
 * last poll committed, so a restart writes exactly the events that arrived since; a 429 is waited
 * out; a GraphQL error in a 200 body fails the poll with the API's message and leaves state as it was.
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
  catalogIr,
  catalogPki,
} from "../support/catalog.ts";
import { type AndromedaMock, startAndromedaMock } from "../support/mocks/andromeda-mock.ts";
import type { RecordedRequest } from "../support/mocks/http-mock.ts";

const ID = "andromeda-audit";
const YAML = `sources/${ID}.yaml`;
const HELR = `sources-helr/${ID}.helr`;
const SCRIPT = "sources/hooks/andromeda-audit.js";

let pki: CatalogPki;
let mock: AndromedaMock;
let bundle: CatalogBundle;
let arrival: (request: RecordedRequest) => number;
beforeAll(async () => {
  pki = catalogPki();
  mock = await startAndromedaMock({ tls: pki.tls, events: 120, seed: 5, retryAfterSecs: 1 });
  arrival = arrivalTimes(mock.requests);
  bundle = await buildCatalogSource(YAML, pki);
});
afterAll(async () => {
  bundle?.remove();
  await mock?.close();
  pki?.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  ANDROMEDA_API_HOST: new URL(mock.url).host,
  ANDROMEDA_PAT: mock.token,
  ...extra,
});
const graphql = (from: number) => mock.requests.slice(from).filter((r) => r.path === "/graphql");
const skipOf = (request: RecordedRequest) => JSON.parse(request.body).variables.pageArgs.skip as number;
const newestFirst = () => [...mock.events].reverse();

describe(ID, () => {
  it("compiles with no diagnostics under --strict, to the same IR as its .helr twin, both shown in the guide", () => {
    const fromYaml = catalogIr(YAML);
    expect(fromYaml.diagnostics).toEqual([]);
    expect(catalogIr(HELR)).toEqual(fromYaml);
    const guide = readFileSync(join(ROOT, "docs/integrations/andromeda.md"), "utf8");
    for (const file of [YAML, HELR, SCRIPT])
      expect(guide).toContain(`\n${readFileSync(join(ROOT, file), "utf8")}\`\`\``);
  });

  it("logs in with the PAT, pages back to the oldest event, and writes every event once", async () => {
    const from = mock.requests.length;
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${ID}: ok — 3 requests, 120 events, stopped: end`);
    expect(run.lines.map((line) => line.event)).toEqual(newestFirst());
    for (const line of run.lines) {
      expect(line.ts).toBe(line.event.time);
      expect(line.meta.id).toBe(line.event.id);
      expect(line.source).toBe(ID);
    }

    const [login, ...pages] = mock.requests.slice(from);
    expect(login?.path).toBe("/login/access-key");
    expect(JSON.parse(login?.body ?? "")).toEqual({ code: mock.token });
    // The login carries the source's browser-like headers, as the WAF wants (ctx.headers).
    expect(login?.headers["user-agent"]).toMatch(/^Mozilla\/5\.0 .*Firefox\/147\.0$/);
    expect(login?.headers.origin).toBe("https://app.live.andromedasecurity.com");
    expect(pages.map(skipOf)).toEqual([0, 50, 100]);
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.headers.cookie).toMatch(/^session=sess_[0-9a-f]+$/);
      expect(page.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(page.body).operationName).toBe("AndromedaEventsList");
    }
    const state = (await bundle.state())[ID];
    expect(state?.watermark).toBe(mock.events.at(-1)?.time);
    // A secret never lands in state or output.
    expect(JSON.stringify(state)).not.toContain(mock.token);
    expect(run.stdout).not.toContain(mock.token);
    expect(run.stderr).not.toContain(mock.token);
  });

  it("resumes at the watermark after a restart: only what arrived since, across pages, a 429 waited out", async () => {
    const added = mock.addEvents(60);
    mock.rateLimitNext(1);
    const from = mock.requests.length;
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines.map((line) => line.event)).toEqual([...added].reverse());
    const [limited, ...pages] = graphql(from);
    expect(limited?.status).toBe(429);
    expect(arrival(pages[0] as RecordedRequest) - arrival(limited as RecordedRequest)).toBeGreaterThanOrEqual(
      1000,
    );
    // The second page holds the 10 oldest new events and 40 already written: paging stops there.
    expect(pages.map(skipOf)).toEqual([0, 50]);
    expect((await bundle.state())[ID]?.watermark).toBe(added.at(-1)?.time);

    const idle = await bundle.run(["run", "--once"], env());
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.lines).toEqual([]);
  });

  it("fails the poll on a GraphQL error in a 200 body, naming it, and leaves state as it was", async () => {
    const before = await bundle.state();
    const added = mock.addEvents(3);
    mock.graphqlErrorNext(1, "Internal error while resolving AndromedaEvents");
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code).not.toBe(0);
    // The error names the source, the hook and the line of the script's `throw`.
    const script = readFileSync(join(ROOT, SCRIPT), "utf8").split("\n");
    const line = script.findIndex((text) => text.includes("throw new Error(`Andromeda GraphQL error")) + 1;
    expect(run.stderr).toContain(
      `${ID}: FAILED — source "${ID}": hook parseResponse threw Error: Andromeda GraphQL error: Internal error while resolving AndromedaEvents (at hooks/andromeda-audit.js:${line}:`,
    );
    expect(run.lines).toEqual([]);
    expect(await bundle.state()).toEqual(before);

    // The next poll collects what the failed one missed.
    const next = await bundle.run(["run", "--once"], env());
    expect(next.code, next.stderr).toBe(0);
    expect(next.lines.map((line) => line.event)).toEqual([...added].reverse());
  });

  it("reports a refused access key with the login's status, and a stale cookie with the API's message", async () => {
    const wrongKey = await bundle.run(["run", "--once"], env({ ANDROMEDA_PAT: "andromeda-pat-revoked" }));
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr).toContain("hook getAuth threw Error: Andromeda login failed: HTTP 401");
    expect(wrongKey.stderr).not.toContain("andromeda-pat-revoked");

    const stale = await bundle.run(["run", "--once"], {
      ANDROMEDA_API_HOST: new URL(mock.url).host,
      ANDROMEDA_COOKIE: "session=sess_expired",
    });
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain("Andromeda GraphQL error: Unauthorized: missing or expired session");
  });
});
