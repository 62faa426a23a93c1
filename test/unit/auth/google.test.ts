import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { googleServiceAccountAuth } from "../../../runtime/auth/google.ts";
import { oauth2Auth } from "../../../runtime/auth/oauth2.ts";
import type { GoogleServiceAccountAuthSpec } from "../../../runtime/spec.ts";
import {
  type GoogleTokenServer,
  type GoogleTokenServerOptions,
  makeServiceAccountKey,
  startGoogleTokenServer,
} from "../../support/google-token-server.ts";
import { callApi } from "./drive.ts";

const REPORTS_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly";
let server: GoogleTokenServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A server whose service account is registered, and the key file pointing at it. */
async function google(
  delegation: { subjects: string[]; scopes: string[] } | undefined,
  extra: Partial<GoogleTokenServerOptions> = {},
): Promise<{ s: GoogleTokenServer; keyFile: string; keyJson: string }> {
  // The token URI comes from the key, so the server's port must be known first: start, then register.
  const registrations: GoogleTokenServerOptions["serviceAccounts"][number][] = [];
  server = await startGoogleTokenServer({ serviceAccounts: registrations, ...extra });
  const key = makeServiceAccountKey(server.tokenUri);
  registrations.push({ ...key.registration, ...(delegation ? { delegation } : {}) });
  const dir = mkdtempSync(join(tmpdir(), "helr-gsa-"));
  dirs.push(dir);
  const keyFile = join(dir, "key.json");
  writeFileSync(keyFile, key.json);
  return { s: server, keyFile, keyJson: key.json };
}

function spec(
  keyFile: string,
  extra: Partial<GoogleServiceAccountAuthSpec> = {},
): GoogleServiceAccountAuthSpec {
  return {
    type: "google_service_account",
    credentials: { file: keyFile },
    subject: { env: "GWS_ADMIN" },
    scopes: [REPORTS_SCOPE],
    refreshSkewSecs: 60,
    ...extra,
  };
}

describe("google_service_account (JWT bearer grant)", () => {
  it("domain-wide delegation: the server verifies signature, kid, aud = token_uri, iss, sub, scope, lifetime", async () => {
    const { s, keyFile, keyJson } = await google({
      subjects: ["admin@example.com"],
      scopes: [REPORTS_SCOPE],
    });
    const auth = googleServiceAccountAuth(spec(keyFile));
    const ctx = { env: { GWS_ADMIN: "admin@example.com" }, sourceId: "gws" };
    const call = await callApi(auth, s.reportsUrl, ctx);
    expect(call.response.status).toBe(200);
    expect(call.sent[0]?.headers.authorization).toMatch(/^Bearer ya29\./);
    const claims = s.assertions[0];
    expect(claims).toMatchObject({
      iss: "helr-reader@helr-test.iam.gserviceaccount.com",
      sub: "admin@example.com",
      aud: s.tokenUri,
      scope: REPORTS_SCOPE,
    });
    expect(Number(claims?.exp) - Number(claims?.iat)).toBe(3600);
    // Cached: a second call does not mint another assertion.
    await callApi(auth, s.reportsUrl, ctx);
    expect(s.assertions).toHaveLength(1);
    expect(JSON.parse(keyJson).token_uri).toBe(s.tokenUri);
  });

  it("delegation not granted for the user: unauthorized_client, clearly, without key material", async () => {
    const { s, keyFile } = await google({ subjects: ["admin@example.com"], scopes: [REPORTS_SCOPE] });
    const auth = googleServiceAccountAuth(spec(keyFile));
    const error = await callApi(auth, s.reportsUrl, {
      env: { GWS_ADMIN: "intern@example.com" },
      sourceId: "gws",
    }).catch((e) => e);
    expect(error.message).toMatch(
      new RegExp(
        `^source "gws": google service account token request to ${s.tokenUri} failed: HTTP 401 unauthorized_client: Client is unauthorized`,
      ),
    );
    expect(error.message).not.toMatch(/PRIVATE KEY|ey[A-Za-z0-9_-]{20}/);
    // What to fix: the Admin console step, with the key's client ID and the scopes; the subject's value stays out.
    expect(error.message).toContain(
      `; to fix: domain-wide delegation is missing or does not cover these scopes: in the Google Admin console (Security → Access and data control → API controls → Manage Domain Wide Delegation) authorize client ID 1234567890 for ${REPORTS_SCOPE}`,
    );
    expect(error.message).toContain("the subject from environment variable GWS_ADMIN");
    expect(error.message).not.toContain("intern@example.com");
  });

  it("without a subject, no sub claim is sent (and an undelegated account works)", async () => {
    const { s, keyFile } = await google(undefined);
    const spec0 = spec(keyFile);
    const { subject: _, ...noSubject } = spec0;
    const call = await callApi(googleServiceAccountAuth(noSubject), s.reportsUrl, {
      env: {},
      sourceId: "gcp",
    });
    expect(call.response.status).toBe(200);
    expect(s.assertions[0]?.sub).toBeUndefined();
  });

  it("a key whose token_uri points elsewhere is used as written (aud and endpoint follow the key)", async () => {
    const { s, keyFile, keyJson } = await google(undefined);
    const moved = JSON.parse(keyJson);
    moved.token_uri = `${s.url}/token?unused=1`;
    writeFileSync(keyFile, JSON.stringify(moved));
    const { subject: _, ...noSubject } = spec(keyFile);
    // The mock checks aud against its own token URI without the query: this key's aud differs → rejected.
    await expect(
      callApi(googleServiceAccountAuth(noSubject), s.reportsUrl, { env: {}, sourceId: "gcp" }),
    ).rejects.toThrow(/invalid_grant: Invalid JWT: Failed audience check\./);
  });

  it("a 401 from the API mints a new assertion once", async () => {
    const { s, keyFile } = await google(undefined);
    const { subject: _, ...noSubject } = spec(keyFile);
    const auth = googleServiceAccountAuth(noSubject);
    const ctx = { env: {}, sourceId: "gcp" };
    await callApi(auth, s.reportsUrl, ctx);
    s.revokeAccessTokens();
    const call = await callApi(auth, s.reportsUrl, ctx);
    expect(call.response.status).toBe(200);
    expect(s.assertions).toHaveLength(2);
  });

  it.each([
    ["not JSON", "{not json PRIVATE-BITS", /credentials \(file .*key\.json\) are not valid JSON$/],
    [
      "no private_key",
      JSON.stringify({ client_email: "a@b", private_key_id: "PRIVATE-BITS" }),
      /lack private_key; download a JSON key/,
    ],
    [
      "a bad private_key",
      JSON.stringify({
        client_email: "a@b",
        private_key: "-----BEGIN PRIVATE KEY-----\nPRIVATE-BITS\n-----END PRIVATE KEY-----\n",
      }),
      /google service account private_key \(file .*key\.json\) is not a PEM private key/,
    ],
  ])("credentials with %s: the error says where, never what", async (_name, content, pattern) => {
    const dir = mkdtempSync(join(tmpdir(), "helr-gsa-"));
    dirs.push(dir);
    const keyFile = join(dir, "key.json");
    writeFileSync(keyFile, content);
    const { subject: _, ...noSubject } = spec(keyFile);
    const error = await googleServiceAccountAuth(noSubject)
      .authorize({ method: "GET", url: "http://127.0.0.1:9/", headers: {} }, { env: {}, sourceId: "gws" })
      .catch((e) => e);
    expect(error.message).toMatch(/^source "gws": /);
    expect(error.message).toMatch(pattern);
    expect(error.message).not.toContain("PRIVATE-BITS");
  });
});

describe("Google refresh_token grant through oauth2", () => {
  it("exchanges client id, secret and refresh token at the Google endpoint", async () => {
    server = await startGoogleTokenServer({
      serviceAccounts: [],
      refreshClients: [
        {
          clientId: "123.apps.googleusercontent.com",
          secret: "GOCSPX-secret",
          refreshTokens: ["1//0g-refresh"],
        },
      ],
    });
    const auth = oauth2Auth({
      type: "oauth2",
      tokenUrl: server.tokenUri,
      clientId: { env: "ID" },
      clientSecret: { env: "SECRET" },
      refreshToken: { env: "REFRESH" },
      scopes: [],
      clientAuth: "client_secret_post",
      dpop: false,
      refreshSkewSecs: 60,
    });
    const ctx = {
      env: { ID: "123.apps.googleusercontent.com", SECRET: "GOCSPX-secret", REFRESH: "1//0g-refresh" },
      sourceId: "gws",
    };
    expect((await callApi(auth, server.reportsUrl, ctx)).response.status).toBe(200);
    const body = new URLSearchParams(server.records[0]?.body);
    expect(Object.fromEntries(body)).toEqual({
      grant_type: "refresh_token",
      refresh_token: "1//0g-refresh",
      client_id: "123.apps.googleusercontent.com",
      client_secret: "GOCSPX-secret",
    });
  });
});
