/**
 * OAuth2 private_key_jwt + DPoP end to end through the engine (pollSource → sendPage → authenticator)
 * against the strict authorization and resource server mock, both demanding nonces.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineSource } from "../../runtime/app.ts";
import { oauth2Auth } from "../../runtime/auth/oauth2.ts";
import { pollSource } from "../../runtime/engine/poll.ts";
import { singleRequest } from "../../runtime/paginate/single.ts";
import type { OAuth2AuthSpec } from "../../runtime/spec.ts";
import { memoryStore } from "../../runtime/state/memory.ts";
import { type OAuthServer, startOAuthServer } from "../support/oauth-server.ts";
import { pollDeps, textSink } from "../support/poll-deps.ts";
import { sourceSpec } from "../support/source-spec.ts";

const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
let okta: OAuthServer;

beforeAll(async () => {
  okta = await startOAuthServer({
    clients: [
      { clientId: "0oa-helr", publicKey: key.publicKey, kid: "helr-2024", scopes: ["okta.logs.read"] },
    ],
    dpop: "required",
    asNonce: true,
    rsNonce: true,
  });
});
afterAll(() => okta.close());

describe("oauth2 + DPoP through pollSource", () => {
  it("obtains a DPoP-bound token after the AS nonce dance, answers the RS nonce challenge, then reuses both", async () => {
    const auth: OAuth2AuthSpec = {
      type: "oauth2",
      tokenUrl: "${OKTA_ORG}/oauth2/v1/token",
      clientId: { env: "OKTA_CLIENT_ID" },
      clientPrivateKey: { env: "OKTA_KEY" },
      keyId: "helr-2024",
      scopes: ["okta.logs.read"],
      clientAuth: "private_key_jwt",
      dpop: true,
      refreshSkewSecs: 60,
    };
    const spec = sourceSpec(
      { strategy: "single" },
      { id: "okta", url: "${OKTA_ORG}/api/v1/logs?limit=5", auth },
    );
    const source = defineSource(spec as never, {
      auth: oauth2Auth as never,
      pagination: singleRequest as never,
    });
    const sink = textSink();
    const deps = pollDeps({
      store: await memoryStore({ path: "" }),
      sink,
      env: {
        OKTA_ORG: okta.url,
        OKTA_CLIENT_ID: "0oa-helr",
        OKTA_KEY: key.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      },
      now: () => new Date(),
    });
    const first = await pollSource(source, deps);
    expect(first.events).toBe(1);
    expect(JSON.parse(sink.text.trim()).event.eventType).toBe("user.session.start");
    const summary = (path: string) =>
      okta.records.filter((r) => r.path === path).map((r) => `${r.status}${r.error ? ` ${r.error}` : ""}`);
    expect(summary("/oauth2/v1/token")).toEqual(["400 use_dpop_nonce", "200"]);
    expect(summary("/api/v1/logs")).toEqual(["401 use_dpop_nonce", "200"]);

    await pollSource(source, deps);
    expect(summary("/oauth2/v1/token")).toEqual(["400 use_dpop_nonce", "200"]);
    expect(summary("/api/v1/logs")).toEqual(["401 use_dpop_nonce", "200", "200"]);
  });
});
