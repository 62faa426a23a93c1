/**
 * runtime/engine/fix-hint.ts: the advice appended to a failed poll names what the user can change
 * (the variable or file a credential comes from, the URL's variables) and stays silent for failures
 * that are not the user's to fix.
 */
import { describe, expect, it } from "vitest";
import { fixHint, withFixHint } from "../../../runtime/engine/fix-hint.ts";
import { HttpStatusError } from "../../../runtime/http/errors.ts";
import { RetriedStatusError } from "../../../runtime/resilience/errors.ts";
import type { SourceSpec } from "../../../runtime/spec.ts";
import { sourceSpec } from "../../support/source-spec.ts";

const bearer = sourceSpec(
  { strategy: "single" },
  {
    url: "https://${SLACK_API_HOST:-api.slack.com}/audit/v1/logs",
    auth: { type: "bearer", token: { env: "SLACK_AUDIT_TOKEN" }, prefix: "Bearer" },
  },
) as SourceSpec;
const basic = sourceSpec(
  { strategy: "single" },
  {
    url: "https://${HOST}/api/v2/tailnet/${TAILSCALE_TAILNET:--}/logging/network",
    auth: { type: "basic", user: { env: "TAILSCALE_API_KEY" } },
  },
) as SourceSpec;

const apiError = (name: string) =>
  Object.assign(new Error(`source "src": https://x/logs: API error: ${name}`), { code: "HELR_API_ERROR" });
const status = (code: number) =>
  new HttpStatusError(code, `source "src": GET https://x returned HTTP ${code}`);

describe("fixHint", () => {
  it("names the variable a refused credential comes from, for 401 and for 200 ok:false", () => {
    for (const error of [status(401), apiError("invalid_authentication"), apiError("not_authed")]) {
      expect(fixHint(error, bearer)).toContain(
        "the API refused the credentials: check that the token in environment variable SLACK_AUDIT_TOKEN",
      );
    }
    expect(fixHint(status(401), basic)).toContain(
      "the user name in environment variable TAILSCALE_API_KEY (sent with an empty password)",
    );
  });

  it("prefers the file over the variable, as the runtime does", () => {
    const spec = {
      ...bearer,
      auth: { type: "bearer", token: { env: "T", file: "/run/t" }, prefix: "Bearer" },
    };
    expect(fixHint(status(401), spec as SourceSpec)).toContain(
      "the token in file /run/t (or environment variable T)",
    );
  });

  it("tells scopes, plans and malformed requests apart", () => {
    expect(fixHint(apiError("missing_scope"), bearer)).toContain("lack a permission this API needs");
    expect(fixHint(apiError("feature_not_enabled"), bearer)).toContain(
      "the account is not allowed to use this API",
    );
    expect(fixHint(status(403), bearer)).toContain("access was refused");
    expect(fixHint(status(400), bearer)).toContain("the API rejected the request as invalid");
  });

  it("lists the variables a URL is built from on 404", () => {
    expect(fixHint(status(404), basic)).toBe(
      "the API has no such endpoint or tenant: check the url and the variables it is built from (HOST, TAILSCALE_TAILNET)",
    );
  });

  it("says nothing for failures that are not the user's to fix", () => {
    const tried = { sourceId: "src", attempts: 3, elapsedMs: 7000 };
    expect(fixHint(new RetriedStatusError(503, tried, "503 after 3 attempts"), bearer)).toBeUndefined();
    expect(fixHint(new RetriedStatusError(429, tried, "429 after 3 attempts"), bearer)).toBeUndefined();
    expect(fixHint(status(500), bearer)).toBeUndefined();
    expect(fixHint(apiError("internal_error"), bearer)).toBeUndefined();
    expect(fixHint(new Error("ECONNREFUSED"), bearer)).toBeUndefined();
  });
});

describe("withFixHint", () => {
  it("appends once, keeping the error's class and code", () => {
    const error = status(401);
    withFixHint(withFixHint(error, bearer), bearer);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.code).toBe("HELR_HTTP_401");
    expect(error.message.match(/; to fix: /g)).toHaveLength(1);
    expect(error.message.startsWith('source "src": GET https://x returned HTTP 401; to fix: ')).toBe(true);
  });
});
