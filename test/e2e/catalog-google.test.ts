/**
 * The Google Workspace Reports sources of the catalog (sources/gws-reports.yaml and
 * sources/gws-login-refresh-token.yaml), built unchanged and run as bundles against the HTTPS Reports
 * mock and the strict Google token server. Only the environment points them there: GOOGLE_ADMIN_HOST
 * and GOOGLE_OAUTH_HOST, the test CA, and a service-account key whose `token_uri` is the token server.
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
import { type GoogleReportsMock, startGoogleReportsMock } from "../support/mocks/google-reports-mock.ts";

const REPORTS_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly";
const ADMIN = "helr-reader@acme.example";
const ACCESS_TOKEN = "ya29.a0AfB_HelrCatalogGoogleAccessToken0123456789abcdef";
const CLIENT = { clientId: "1234-helr.apps.googleusercontent.com", secret: "GOCSPX-helrCatalogSecret01" };
const REFRESH_TOKEN = "1//0gHelrCatalogRefreshToken-0123456789abcdefghij";
const HOUR_MS = 3_600_000;

let pki: CatalogPki;
let tokens: GoogleTokenServer;
let reports: GoogleReportsMock;
let denied: GoogleReportsMock;
let gws: CatalogBundle;
let refresh: CatalogBundle;
let keyFile: string;
/** Added to the mocks' clock, to make late activities visible. */
let clockOffsetMs = 0;

beforeAll(async () => {
  pki = catalogPki();
  // The key's token_uri names the token server, so the server starts first and the account is registered after.
  const accounts: GoogleTokenServerOptions["serviceAccounts"][number][] = [];
  tokens = await startGoogleTokenServer({
    serviceAccounts: accounts,
    refreshClients: [{ ...CLIENT, refreshTokens: [REFRESH_TOKEN] }],
    accessToken: ACCESS_TOKEN,
    tls: pki.tls,
  });
  const key = makeServiceAccountKey(tokens.tokenUri);
  accounts.push({ ...key.registration, delegation: { subjects: [ADMIN], scopes: [REPORTS_SCOPE] } });
  const now = () => Date.now() + clockOffsetMs;
  reports = await startGoogleReportsMock({ tls: pki.tls, token: ACCESS_TOKEN, events: 1100, seed: 7, now });
  denied = await startGoogleReportsMock({ tls: pki.tls, token: ACCESS_TOKEN, permissionDenied: true });
  [gws, refresh] = await Promise.all([
    buildCatalogSource("sources/gws-reports.yaml", pki),
    buildCatalogSource("sources/gws-login-refresh-token.yaml", pki),
  ]);
  keyFile = join(gws.dir, "helr-reader.json");
  writeFileSync(keyFile, key.json, { mode: 0o400 });
}, 60_000);

afterAll(async () => {
  await Promise.all([tokens?.close(), reports?.close(), denied?.close()]);
  gws?.remove();
  refresh?.remove();
  pki?.cleanup();
});

const hostOf = (url: string) => new URL(url).host;
const serviceAccountEnv = (api = reports) => ({
  GWS_CREDENTIALS_FILE: keyFile,
  GWS_ADMIN_EMAIL: ADMIN,
  GOOGLE_ADMIN_HOST: hostOf(api.url),
});
const runSource = (id: string, env: Record<string, string> = serviceAccountEnv()) =>
  gws.run(["run", "--once", "--source", id], env);
const qualifiers = (run: CatalogRun) =>
  run.lines.map((l) => (l.event.id as { uniqueQualifier: string }).uniqueQualifier);
const visibleQualifiers = (application: string) =>
  reports.events
    .filter((a) => a.id.applicationName === application)
    .map((a) => a.id.uniqueQualifier)
    .sort();
/** Requests the mock answered for one application, in order. */
const requestsFor = (application: string) =>
  reports.requests.filter((r) => r.path.endsWith(`/applications/${application}`));
/** Arms `fault` once the mock has answered `after` more requests (it records a request after answering it). */
function armAfter(mock: GoogleReportsMock, after: number, fault: () => void): void {
  const { requests } = mock;
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

describe("catalog: Google Workspace Reports definitions", () => {
  it.each(["gws-reports", "gws-login-refresh-token"])(
    "%s: the YAML and its .helr twin compile to the same IR",
    (name) => {
      expect(programOf(`sources-helr/${name}.helr`)).toEqual(programOf(`sources/${name}.yaml`));
    },
  );

  it("has one service-account source per application, differing only in the URL", () => {
    const { sources } = programOf("sources/gws-reports.yaml");
    expect(sources.map((s) => s.id)).toEqual([
      "gws-login",
      "gws-admin",
      "gws-drive",
      "gws-token",
      "gws-saml",
      "gws-user-accounts",
    ]);
    const common = sources.map(({ id, url, labelValue, ...rest }) => rest);
    for (const other of common.slice(1)) expect(other).toEqual(common[0]);
    expect(sources[0]?.auth).toMatchObject({ type: "google_service_account", scopes: [REPORTS_SCOPE] });
  });

  it("the guide's YAML and .helr blocks are the catalog sources, as they are", () => {
    const catalog = new Map(
      ["sources/gws-reports.yaml", "sources/gws-login-refresh-token.yaml"].flatMap((path) =>
        programOf(path).sources.map((s) => [s.id, s] as const),
      ),
    );
    const blocks = guideBlocks("docs/integrations/google-workspace.md");
    expect(new Set(blocks.map((b) => b.lang))).toEqual(new Set(["yaml", "helr"]));
    for (const { program } of blocks)
      for (const source of program.sources)
        expect({ ...source, origin: "(file)" }).toEqual(catalog.get(source.id));
  });
});

describe("catalog: gws-login (service account, domain-wide delegation)", () => {
  it("reads every page with the first request's parameters, then resumes from the watermark with an overlap", async () => {
    const first = await runSource("gws-login");
    expect(first.stderr).toMatch(/gws-login: ok — 2 requests, 1100 events/);
    expect(first.code).toBe(0);
    expect(qualifiers(first).sort()).toEqual(visibleQualifiers("login"));
    // The JWT-bearer grant impersonated the delegated admin, with the Reports scope, audience = token_uri.
    expect(tokens.assertions.at(-1)).toMatchObject({
      sub: ADMIN,
      scope: REPORTS_SCOPE,
      aud: tokens.tokenUri,
    });
    const [page1, page2] = requestsFor("login");
    expect(page1?.query).toEqual({ maxResults: "1000" });
    expect(page2?.query).toEqual({ maxResults: "1000", pageToken: expect.stringMatching(/^A:/) });
    expect(first.lines[0]?.meta).toMatchObject({ id: qualifiers(first)[0], message: expect.any(String) });

    const newest = reports.events
      .filter((a) => a.id.applicationName === "login")
      .map((a) => a.id.time)
      .sort()
      .at(-1);
    expect((await gws.state())["gws-login"]?.watermark).toBe(newest);

    // New activities, and late ones: timed before the watermark, visible now or only later.
    const fresh = reports.addEvents(4, { application: "login" });
    const newestMs = Date.parse(newest ?? "");
    const late = reports.addLateEvents(3, { application: "login", atMs: newestMs - 20 * 60_000 });
    const later = reports.addLateEvents(2, {
      application: "login",
      atMs: newestMs - 40 * 60_000,
      delayMs: 2 * HOUR_MS,
    });
    const second = await runSource("gws-login");
    expect(second.code).toBe(0);
    expect(qualifiers(second).sort()).toEqual([...fresh, ...late].map((a) => a.id.uniqueQualifier).sort());
    const resumed = requestsFor("login").at(-1);
    expect(resumed?.query).toEqual({ maxResults: "1000", startTime: expect.any(String) });
    expect(Date.parse(resumed?.query.startTime ?? "")).toBe(newestMs - HOUR_MS);

    clockOffsetMs += 2 * HOUR_MS;
    const third = await runSource("gws-login");
    expect(third.code).toBe(0);
    expect(qualifiers(third).sort()).toEqual(later.map((a) => a.id.uniqueQualifier).sort());

    const all = [first, second, third].flatMap(qualifiers);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(visibleQualifiers("login"));
  }, 30_000);

  it("continues an interrupted pass from the stored page token", async () => {
    // Page 1 succeeds, page 2 fails with a status that is not retried: the poll fails after page 1.
    armAfter(reports, 1, () => reports.failNext(1, 400));
    const broken = await runSource("gws-drive");
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /source "gws-drive": GET https:\/\/127\.0\.0\.1:\d+\/\S+ returned HTTP 400/,
    );
    expect(broken.lines).toHaveLength(1000);
    const stored = (await gws.state())["gws-drive"];
    expect(stored?.cursor).toMatch(/^A:/);
    expect(stored?.watermark).toBeUndefined();

    const resumed = await runSource("gws-drive");
    expect(resumed.code).toBe(0);
    expect(requestsFor("drive")[2]?.query).toEqual({ maxResults: "1000", pageToken: stored?.cursor });
    const all = [...qualifiers(broken), ...qualifiers(resumed)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(visibleQualifiers("drive"));
    expect((await gws.state())["gws-drive"]?.watermark).toBeDefined();
  }, 30_000);

  it("waits out a 429 in Google's error envelope and still delivers everything", async () => {
    reports.rateLimitNext(1);
    const run = await runSource("gws-admin");
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/HTTP 429 \(rate limited\): retrying in \d/);
    expect(requestsFor("admin").map((r) => r.status)).toEqual([429, 200, 200]);
    expect(qualifiers(run).sort()).toEqual(visibleQualifiers("admin"));
  }, 30_000);

  it("writes nothing for an application without activity (Google omits `items`)", async () => {
    const run = await runSource("gws-user-accounts");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/gws-user-accounts: ok — 1 requests, 0 events/);
    expect(requestsFor("user_accounts")).toHaveLength(1);
  });

  it("explains a 403 PERMISSION_DENIED: the source, Google's message, and what to fix", async () => {
    const run = await runSource("gws-token", serviceAccountEnv(denied));
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([]);
    expect(run.stderr).toMatch(/source "gws-token": GET \S+\/applications\/token\S* returned HTTP 403/);
    expect(run.stderr).toMatch(/PERMISSION_DENIED/);
    expect(run.stderr).toMatch(/Not Authorized to access this resource\/api/);
    expect(run.stderr).toMatch(
      /; to fix: access was refused: check that the service account \(the key in file \$\{GWS_CREDENTIALS_FILE\}\) has the scope or permission/,
    );
  });

  it("explains a delegation failure (unauthorized_client): the source, the client ID and the scope to authorize", async () => {
    const run = await runSource("gws-saml", {
      ...serviceAccountEnv(),
      GWS_ADMIN_EMAIL: "intern@acme.example",
    });
    expect(run.code).toBe(1);
    expect(tokens.records.at(-1)).toMatchObject({ status: 401, error: "unauthorized_client" });
    expect(run.stderr).toMatch(
      /source "gws-saml": google service account token request to https:\/\/127\.0\.0\.1:\d+\/token failed: HTTP 401 unauthorized_client/,
    );
    expect(run.stderr).toContain(
      `; to fix: domain-wide delegation is missing or does not cover these scopes: in the Google Admin console (Security → Access and data control → API controls → Manage Domain Wide Delegation) authorize client ID 1234567890 for ${REPORTS_SCOPE}, and check that the subject from environment variable GWS_ADMIN_EMAIL is a user`,
    );
    // One piece of advice, not the generic "credentials refused" one on top, and not the subject's value.
    expect(run.stderr.match(/; to fix: /g)).toHaveLength(2);
    expect(run.stderr).not.toContain("intern@acme.example");
  });
});

describe("catalog: gws-login-refresh-token (an admin's OAuth refresh token)", () => {
  const env = (refreshToken = REFRESH_TOKEN) => ({
    GWS_CLIENT_ID: CLIENT.clientId,
    GWS_CLIENT_SECRET: CLIENT.secret,
    GWS_REFRESH_TOKEN: refreshToken,
    GOOGLE_ADMIN_HOST: hostOf(reports.url),
    GOOGLE_OAUTH_HOST: hostOf(tokens.url),
  });

  it("collects the login activities with a token from the refresh grant", async () => {
    const run = await refresh.run(["run", "--once"], env());
    expect(run.code).toBe(0);
    expect(tokens.records.at(-1)).toMatchObject({ path: "/token", status: 200 });
    expect(new URLSearchParams(tokens.records.at(-1)?.body).get("grant_type")).toBe("refresh_token");
    const all = qualifiers(run);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(visibleQualifiers("login"));
  });

  it("names the source and Google's invalid_grant when the refresh token was revoked", async () => {
    const run = await refresh.run(["run", "--once"], env("1//0gRevokedRefreshToken-zyxwvutsrqponm"));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /source "gws-login-refresh-token": oauth2 token request to https:\/\/127\.0\.0\.1:\d+\/token failed: HTTP 400 invalid_grant: Token has been expired or revoked/,
    );
    expect(run.stderr).not.toContain("1//0gRevokedRefreshToken");
  });
});
