/**
 * The Okta catalog sources, built unchanged and run against HTTPS mocks of Okta (issue 7):
 * - sources/okta-system-log.yaml: SSWS token, polling next links, `since` on the first request;
 * - sources/okta-system-log-oauth.yaml: a service app with private_key_jwt and DPoP-bound tokens
 *   (the strict OAuth server in front of the Okta mock's pages).
 * Each: every event exactly once across runs, the second run resumes from the stored next link,
 * a 429 is waited out until `X-Rate-Limit-Reset`, and the typical mistake says what to fix.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
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
import { type OAuthServer, startOAuthServer } from "../support/oauth-server.ts";
import { type OktaMock, type RecordedRequest, startOktaMock } from "../support/okta-mock.ts";

const HOUR = 3_600_000;
let pki: CatalogPki;
beforeAll(() => {
  pki = catalogPki();
});
afterAll(() => pki?.cleanup());

const uuids = (run: CatalogRun) => run.lines.map((line) => line.event.uuid);
/** The query a stored next link carries, as the mock records a query. */
const queryOf = (url: string | undefined) => Object.fromEntries(new URL(url ?? "").searchParams);

/** The `x-rate-limit-reset` of a recorded 429 (epoch seconds). */
function resetOf(run: { headers: Readonly<Record<string, string | readonly string[]>> }): number {
  const value = run.headers["x-rate-limit-reset"];
  return Number(Array.isArray(value) ? value[0] : value);
}

describe.each([
  ["sources/okta-system-log.yaml", "sources-helr/okta-system-log.helr"],
  ["sources/okta-system-log-oauth.yaml", "sources-helr/okta-system-log-oauth.helr"],
])("%s", (yaml, helr) => {
  it("compiles with no diagnostics under --strict, to the same IR as its .helr twin", () => {
    const fromYaml = catalogIr(yaml);
    expect(fromYaml.diagnostics).toEqual([]);
    expect(catalogIr(helr)).toEqual(fromYaml);
  });

  it("is shown verbatim, in both forms, in docs/integrations/okta.md", () => {
    const guide = readFileSync(join(ROOT, "docs/integrations/okta.md"), "utf8");
    expect(guide).toContain(`\`\`\`yaml\n${readFileSync(join(ROOT, yaml), "utf8")}\`\`\``);
    expect(guide).toContain(`\`\`\`helr\n${readFileSync(join(ROOT, helr), "utf8")}\`\`\``);
  });
});

describe("okta-system-log (SSWS API token)", () => {
  const ID = "okta-system-log";
  const TOKEN = "00hlrE2eOktaSswsToken8c2d4f6a";
  const since = new Date(Date.now() - 2 * HOUR).toISOString();
  let mock: OktaMock;
  let okta: CatalogBundle;
  let arrival: (request: RecordedRequest) => number;
  const env = (extra: Record<string, string> = {}) => ({
    OKTA_DOMAIN: new URL(mock.url).host,
    OKTA_API_TOKEN: TOKEN,
    OKTA_SINCE: since,
    ...extra,
  });

  beforeAll(async () => {
    // 2-second rate windows keep a waited-out 429 short; events lie within Okta's 180-day `since`.
    mock = await startOktaMock({
      tls: pki.tls,
      token: TOKEN,
      seed: 11,
      events: 2345,
      startTime: Date.now() - HOUR,
      rateLimit: { windowSecs: 2 },
    });
    arrival = arrivalTimes(mock.requests);
    okta = await buildCatalogSource("sources/okta-system-log.yaml", pki);
  });
  afterAll(async () => {
    okta?.remove();
    await mock?.close();
  });

  it("reads the whole log on the first run, from OKTA_SINCE, until the empty page", async () => {
    const run = await okta.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(uuids(run)).toEqual(mock.events.map((e) => e.uuid));
    expect(run.lines[0]?.ts).toBe(mock.events[0]?.published);
    expect(run.lines[0]?.meta).toMatchObject({ id: mock.events[0]?.uuid });
    expect(mock.requests.map((r) => r.query)).toEqual([
      { limit: "1000", sortOrder: "ASCENDING", since },
      { limit: "1000", sortOrder: "ASCENDING", after: mock.events[999]?.uuid },
      { limit: "1000", sortOrder: "ASCENDING", after: mock.events[1999]?.uuid },
      { limit: "1000", sortOrder: "ASCENDING", after: mock.events[2344]?.uuid },
    ]);
    expect(mock.requests.every((r) => r.headers.authorization === `SSWS ${TOKEN}`)).toBe(true);
    expect(run.stderr).toMatch(/okta-system-log: ok — 4 requests, 2345 events, stopped: empty_page/);
    const state = (await okta.state())[ID];
    expect(queryOf(state?.next_url)).toEqual(mock.requests[3]?.query);
    expect(state?.watermark).toBe(mock.events.at(-1)?.published);
  });

  it("resumes from the stored next link, waits out a 429 until X-Rate-Limit-Reset, and writes only the new events", async () => {
    const stored = (await okta.state())[ID]?.next_url;
    const added = mock.addEvents(7);
    mock.rateLimitNext(1);
    const before = mock.requests.length;
    const run = await okta.run(["run", "--once", "--record-dir", "recordings"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(uuids(run)).toEqual(added.map((e) => e.uuid));
    const [limited, retry, , ...rest] = mock.requests.slice(before);
    expect(rest).toEqual([]);
    // The first request of the run is the stored next link: the position resumed.
    expect(limited?.status).toBe(429);
    expect(limited?.query).toEqual(queryOf(stored));
    expect(retry?.query).toEqual(limited?.query);
    // The mock saw the retry only after the reset its 429 announced (Okta sends no Retry-After).
    const [recorded429] = okta.recordings(ID);
    expect(recorded429?.status).toBe(429);
    const reset = resetOf(recorded429 ?? { headers: {} });
    expect(retry && arrival(retry)).toBeGreaterThanOrEqual(reset * 1000);
    expect(retry?.status).toBe(200);
  });

  it("writes nothing twice when nothing is new", async () => {
    const run = await okta.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines).toEqual([]);
  });

  it("without a stored link, starts at the high-water mark minus 5 minutes and drops the overlap by uuid", async () => {
    const mark = Date.parse((await okta.state())[ID]?.watermark ?? "");
    const cleared = await okta.run(["state", "set", ID, "next_url", ""]);
    expect(cleared.code, cleared.stderr).toBe(0);
    const added = mock.addEvents(2);
    const before = mock.requests.length;
    const run = await okta.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(uuids(run)).toEqual(added.map((e) => e.uuid));
    const since = new Date(mark - 300_000).toISOString().replace(/\.000Z$/, "Z");
    expect(mock.requests[before]?.query).toEqual({ limit: "1000", sortOrder: "ASCENDING", since });
    // The overlap re-read events already written: dedupe, not the API, kept them out.
    expect(mock.events.filter((e) => Date.parse(e.published) >= mark - 300_000).length).toBeGreaterThan(2);
  });

  it("names the source, the status and Okta's error when the token is wrong, and keeps the position", async () => {
    const stateBefore = await okta.state();
    const run = await okta.run(["run", "--once"], env({ OKTA_API_TOKEN: "00stale-or-revoked-token" }));
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([]);
    expect(run.stderr).toMatch(/okta-system-log: FAILED/);
    expect(run.stderr).toMatch(
      /source "okta-system-log": GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/logs\?\S* returned HTTP 401/,
    );
    expect(run.stderr).toContain('"errorCode":"E0000011","errorSummary":"Invalid token provided"');
    expect(run.stderr).not.toContain("00stale-or-revoked-token");
    expect(await okta.state()).toEqual(stateBefore);
  });
});

describe("okta-system-log-oauth (service app, private_key_jwt + DPoP)", () => {
  const ID = "okta-system-log-oauth";
  const CLIENT_ID = "0oa1helrE2eServiceApp";
  const SSWS = "internal-okta-pages-token";
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
  let pages: OktaMock;
  let okta: OAuthServer;
  let bundle: CatalogBundle;
  let keyFile: string;
  let arrival: (request: RecordedRequest) => number;
  const env = (extra: Record<string, string> = {}) => ({
    OKTA_DOMAIN: new URL(okta.url).host,
    OKTA_CLIENT_ID: CLIENT_ID,
    OKTA_CLIENT_PRIVATE_KEY_FILE: keyFile,
    ...extra,
  });
  const apiRecords = () => okta.records.filter((r) => r.path === "/api/v1/logs");
  const tokenRecords = () => okta.records.filter((r) => r.path === "/oauth2/v1/token");

  beforeAll(async () => {
    // The pages come from the Okta mock (plain HTTP behind the OAuth server, origin-relative links so
    // they resolve against the HTTPS origin); the OAuth server checks every token and DPoP proof first.
    pages = await startOktaMock({
      token: SSWS,
      seed: 23,
      events: 1500,
      startTime: Date.now() - HOUR,
      absoluteLinks: false,
      rateLimit: { windowSecs: 2 },
    });
    arrival = arrivalTimes(pages.requests);
    okta = await startOAuthServer({
      tls: pki.tls,
      clients: [{ clientId: CLIENT_ID, publicKey: key.publicKey, kid: "helr", scopes: ["okta.logs.read"] }],
      dpop: "required",
      asNonce: true,
      resource: async ({ url }) => {
        const response = await fetch(`${pages.url}${url.pathname}${url.search}`, {
          headers: { authorization: `SSWS ${SSWS}` },
        });
        const headers: Record<string, string> = {};
        for (const name of ["link", "x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"]) {
          const value = response.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        return { status: response.status, body: await response.json(), headers };
      },
    });
    bundle = await buildCatalogSource("sources/okta-system-log-oauth.yaml", pki);
    keyFile = join(bundle.dir, "okta-helr.pem");
    writeFileSync(keyFile, key.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o400 });
  });
  afterAll(async () => {
    bundle?.remove();
    await okta?.close();
    await pages?.close();
  });

  it("gets a DPoP-bound token after Okta's nonce dance and reads every page with DPoP proofs", async () => {
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(uuids(run)).toEqual(pages.events.map((e) => e.uuid));
    expect(tokenRecords().map((r) => `${r.status}${r.error ? ` ${r.error}` : ""}`)).toEqual([
      "400 use_dpop_nonce",
      "200",
    ]);
    expect(tokenRecords()[1]?.form).toMatchObject({
      grant_type: "client_credentials",
      scope: "okta.logs.read",
    });
    expect(apiRecords().map((r) => r.status)).toEqual([200, 200, 200]);
    expect(apiRecords().every((r) => String(r.headers.authorization).startsWith("DPoP "))).toBe(true);
    // OKTA_SINCE unset: no `since`, Okta's own default applies.
    expect(pages.requests[0]?.query).toEqual({ limit: "1000", sortOrder: "ASCENDING" });
    const state = (await bundle.state())[ID];
    expect(state?.next_url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/v1\/logs\?/);
    expect(queryOf(state?.next_url)).toEqual(pages.requests.at(-1)?.query);
  });

  it("resumes from the stored next link in a new process and waits out a 429 until the reset", async () => {
    const stored = (await bundle.state())[ID]?.next_url;
    const added = pages.addEvents(4);
    pages.rateLimitNext(1);
    const before = pages.requests.length;
    const run = await bundle.run(["run", "--once", "--record-dir", "recordings"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(uuids(run)).toEqual(added.map((e) => e.uuid));
    const [limited, retry] = pages.requests.slice(before);
    expect(limited?.status).toBe(429);
    expect(limited?.query).toEqual(queryOf(stored));
    expect(retry?.query).toEqual(limited?.query);
    const reset = resetOf(bundle.recordings(ID)[0] ?? { headers: {} });
    expect(retry && arrival(retry)).toBeGreaterThanOrEqual(reset * 1000);
  });

  it("names the source, the token URL and Okta's invalid_client when the key is not the registered one", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const wrongKey = join(bundle.dir, "other.pem");
    writeFileSync(wrongKey, other.privateKey.export({ type: "pkcs8", format: "pem" }));
    const run = await bundle.run(["run", "--once"], env({ OKTA_CLIENT_PRIVATE_KEY_FILE: wrongKey }));
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([]);
    expect(run.stderr).toMatch(
      /source "okta-system-log-oauth": oauth2 token request to https:\/\/127\.0\.0\.1:\d+\/oauth2\/v1\/token failed: HTTP 400 invalid_client/,
    );
  });
});
