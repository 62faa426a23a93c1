/**
 * The Cloud Logging source of the catalog (sources/gcp-cloud-logging.yaml), built unchanged and run as a
 * bundle against the HTTPS `entries:list` mock and the strict Google token server. Only the environment
 * points it there: GOOGLE_LOGGING_HOST, GOOGLE_LOGGING_RESOURCE, the test CA, and a service-account key
 * whose `token_uri` is the token server.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze, type ProgramIR } from "../../compiler/pipeline.ts";
import { ROOT } from "../support/bundle.ts";
import {
  buildCatalogSource,
  type CatalogBundle,
  type CatalogPki,
  type CatalogRun,
  catalogPki,
} from "../support/catalog.ts";
import {
  type GoogleTokenServer,
  type GoogleTokenServerOptions,
  makeServiceAccountKey,
  startGoogleTokenServer,
} from "../support/google-token-server.ts";
import { type CloudLoggingMock, startCloudLoggingMock } from "../support/mocks/cloud-logging-mock.ts";

const LOGGING_SCOPE = "https://www.googleapis.com/auth/logging.read";
const ACCESS_TOKEN = "ya29.c.b0AXv0zTHelrCatalogLoggingAccessToken0123456789";
const ID = "gcp-cloud-logging";

let pki: CatalogPki;
let tokens: GoogleTokenServer;
let logging: CloudLoggingMock;
let bundle: CatalogBundle;
let keyFile: string;
/** Added to the mock's clock, to age its page tokens. */
let clockOffsetMs = 0;

beforeAll(async () => {
  pki = catalogPki();
  // The key's token_uri names the token server, so the server starts first and the account is registered after.
  const accounts: GoogleTokenServerOptions["serviceAccounts"][number][] = [];
  tokens = await startGoogleTokenServer({
    serviceAccounts: accounts,
    accessToken: ACCESS_TOKEN,
    tls: pki.tls,
  });
  const key = makeServiceAccountKey(tokens.tokenUri, "helr-logs@helr-test.iam.gserviceaccount.com");
  accounts.push(key.registration);
  logging = await startCloudLoggingMock({
    tls: pki.tls,
    token: ACCESS_TOKEN,
    events: 1500,
    seed: 11,
    // Every second answer is a "keep going" page: no entries, but a token.
    emptyPageEvery: 2,
    now: () => Date.now() + clockOffsetMs,
  });
  bundle = await buildCatalogSource("sources/gcp-cloud-logging.yaml", pki);
  keyFile = join(bundle.dir, "helr-logs.json");
  writeFileSync(keyFile, key.json, { mode: 0o400 });
}, 60_000);

afterAll(async () => {
  await Promise.all([tokens?.close(), logging?.close()]);
  bundle?.remove();
  pki?.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({
  GOOGLE_APPLICATION_CREDENTIALS: keyFile,
  GOOGLE_LOGGING_RESOURCE: logging.resourceName,
  GOOGLE_LOGGING_HOST: new URL(logging.url).host,
  ...extra,
});
const run = (args: readonly string[] = [], extra: Record<string, string> = {}) =>
  bundle.run(["run", "--once", ...args], env(extra));
const insertIds = (r: CatalogRun) => r.lines.map((l) => l.event.insertId as string);
/** What the default filter selects: Cloud Audit Logs only, not the application logs beside them. */
const auditIds = () =>
  logging.events
    .filter((e) => e.logName.includes("cloudaudit.googleapis.com"))
    .map((e) => e.insertId)
    .sort();
const bodies = () => logging.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
/** Arms `fault` once the mock has answered `after` more requests (it records a request after answering it). */
function armAfter(after: number, fault: () => void): void {
  const { requests } = logging;
  const push = requests.push.bind(requests);
  let left = after;
  requests.push = (...items) => {
    const length = push(...items);
    left -= items.length;
    if (left === 0) {
      fault();
      requests.push = push;
    }
    return length;
  };
}
/** Every insertId written so far, across runs. */
const written: string[] = [];
const collect = (r: CatalogRun) => {
  written.push(...insertIds(r));
  return r;
};

/** The `yaml` and `helr` blocks of a guide, each compiled alone. */
function guideBlocks(path: string): { lang: string; program: ProgramIR }[] {
  const text = readFileSync(join(ROOT, path), "utf8");
  return [...text.matchAll(/```(yaml|helr)\n([\s\S]*?)```/g)].map(([, lang = "", body = ""], i) => {
    const result = analyze([{ path: `${path}#${i + 1}.${lang}`, text: body }], { strict: true });
    expect(result.diagnostics).toEqual([]);
    if (result.program === undefined) throw new Error(`${path} block ${i + 1} has no program`);
    return { lang, program: result.program };
  });
}

function programOf(path: string): ProgramIR {
  const result = analyze([{ path, text: readFileSync(join(ROOT, path), "utf8") }], { strict: true });
  expect(result.diagnostics).toEqual([]);
  if (result.program === undefined) throw new Error(`${path} has no program`);
  return { ...result.program, sources: result.program.sources.map((s) => ({ ...s, origin: "(file)" })) };
}

describe("catalog: gcp-cloud-logging definition", () => {
  it("the YAML and its .helr twin compile to the same IR", () => {
    expect(programOf("sources-helr/gcp-cloud-logging.helr")).toEqual(
      programOf("sources/gcp-cloud-logging.yaml"),
    );
  });

  it("the guide's YAML and .helr blocks are the catalog sources, as they are", () => {
    const catalog = new Map(
      ["sources/gcp-cloud-logging.yaml"].flatMap((path) =>
        programOf(path).sources.map((s) => [s.id, s] as const),
      ),
    );
    const blocks = guideBlocks("docs/integrations/cloud-logging.md");
    expect(new Set(blocks.map((b) => b.lang))).toEqual(new Set(["yaml", "helr"]));
    for (const { program } of blocks)
      for (const source of program.sources)
        expect({ ...source, origin: "(file)" }).toEqual(catalog.get(source.id));
  });
});

describe("catalog: gcp-cloud-logging (entries:list, service account without delegation)", () => {
  it("walks past keep-going pages, repeating the body with pageToken added", async () => {
    const first = collect(await run());
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/gcp-cloud-logging: ok — 3 requests, \d+ events, stopped: end/);
    expect(insertIds(first).sort()).toEqual(auditIds());
    expect(tokens.assertions.at(-1)).toMatchObject({ scope: LOGGING_SCOPE, aud: tokens.tokenUri });
    expect(tokens.assertions.at(-1)?.sub).toBeUndefined();
    const request = {
      resourceNames: [logging.resourceName],
      filter: 'logName:"cloudaudit.googleapis.com"',
      orderBy: "timestamp asc",
      pageSize: 1000,
    };
    const [page1, keepGoing, page3] = bodies();
    expect(page1).toEqual(request);
    // Page 2 had no entries but a token: the pass went on with it.
    expect(keepGoing).toEqual({ ...request, pageToken: expect.any(String) });
    expect(page3).toEqual({ ...request, pageToken: expect.any(String) });
    expect(first.lines[0]?.meta).toMatchObject({ id: first.lines[0]?.event.insertId });
  }, 20_000);

  it("writes only new entries on the next poll (it rereads from the filter's start: no watermark)", async () => {
    const before = logging.requests.length;
    const added = logging.addEvents(30);
    const second = collect(await run());
    expect(second.code).toBe(0);
    const expected = added
      .filter((e) => e.logName.includes("cloudaudit.googleapis.com"))
      .map((e) => e.insertId);
    expect(insertIds(second).sort()).toEqual(expected.sort());
    // The documented limitation: a completed pass leaves no position, so the next one starts over.
    expect(bodies()[before]?.pageToken).toBeUndefined();
    expect(new Set(written).size).toBe(written.length);
  }, 20_000);

  it("continues an interrupted pass from the stored page token", async () => {
    const added = logging.addEvents(40);
    armAfter(1, () => logging.failNext(1, 400));
    const broken = collect(await run());
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /source "gcp-cloud-logging": POST https:\/\/127\.0\.0\.1:\d+\/v2\/entries:list returned HTTP 400/,
    );
    const cursor = (await bundle.state())[ID]?.cursor;
    expect(cursor).toBeTruthy();

    const before = logging.requests.length;
    const resumed = collect(await run());
    expect(resumed.code).toBe(0);
    expect(bodies()[before]?.pageToken).toBe(cursor);
    expect(written.filter((id) => added.some((e) => e.insertId === id))).toHaveLength(
      added.filter((e) => e.logName.includes("cloudaudit.googleapis.com")).length,
    );
    expect(new Set(written).size).toBe(written.length);
    expect([...written].sort()).toEqual(auditIds());
  }, 20_000);

  it("starts a fresh pass when the stored page token has expired (24 h)", async () => {
    logging.addEvents(25);
    armAfter(1, () => logging.failNext(1, 400));
    collect(await run());
    expect((await bundle.state())[ID]?.cursor).toBeTruthy();
    clockOffsetMs += 25 * 3_600_000;
    const reset = collect(await run());
    expect(reset.code).toBe(0);
    expect(reset.stderr).toMatch(/stored position rejected as expired; starting a fresh pass/);
    expect(new Set(written).size).toBe(written.length);
    expect([...written].sort()).toEqual(auditIds());
  }, 20_000);

  it("waits out a 429 RESOURCE_EXHAUSTED and still delivers everything", async () => {
    logging.addEvents(10);
    const before = logging.requests.length;
    logging.rateLimitNext(1);
    const limited = collect(await run());
    expect(limited.code).toBe(0);
    expect(limited.stderr).toMatch(/HTTP 429 \(rate limited\): retrying in \d/);
    expect(logging.requests.slice(before).map((r) => r.status)[0]).toBe(429);
    expect(new Set(written).size).toBe(written.length);
    expect([...written].sort()).toEqual(auditIds());
  }, 20_000);

  it("writes nothing when the filter matches nothing (no `entries` key, never a bogus event)", async () => {
    const empty = await run(["--state-path", "empty.db"], {
      GOOGLE_LOGGING_FILTER: 'logName:"projects/acme-prod/logs/no-such-log"',
    });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toMatch(/gcp-cloud-logging: ok — \d requests, 0 events, stopped: end/);
  }, 20_000);

  it("explains a 403 PERMISSION_DENIED: the source, Google's message, and what to fix", async () => {
    const denied = await run([], { GOOGLE_LOGGING_RESOURCE: "projects/someone-elses-project" });
    expect(denied.code).toBe(1);
    expect(denied.lines).toEqual([]);
    expect(denied.stderr).toMatch(/source "gcp-cloud-logging": POST \S+\/v2\/entries:list returned HTTP 403/);
    expect(denied.stderr).toMatch(/PERMISSION_DENIED/);
    expect(denied.stderr).toMatch(/does not have permission to read logs of /);
    // The resource name came from a placeholder in the body: values expanded into headers, query
    // or body are masked wherever Helr writes (docs/security.md), even this one.
    expect(denied.stderr).not.toContain("someone-elses-project");
    expect(denied.stderr).toMatch(
      /; to fix: access was refused: check that the service account \(the key in file \$\{GOOGLE_APPLICATION_CREDENTIALS\}\) has the scope or permission/,
    );
  }, 20_000);
});
