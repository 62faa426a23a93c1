import { describe, expect, it } from "vitest";
import type { HttpRequest, HttpResponse } from "../../../runtime/http/client.ts";
import { decodeRecording, encodeRecording } from "../../../runtime/record/format.ts";
import { redactExchange, requestSecrets } from "../../../runtime/record/redact-exchange.ts";

const request = (headers: Record<string, string>, url = "https://api.example.com/logs"): HttpRequest => ({
  method: "GET",
  url,
  headers,
  timeoutMs: 1000,
});

const response = (
  headers: Record<string, string[]>,
  body: string,
  url = "https://api.example.com/logs",
): HttpResponse => ({
  status: 200,
  headers: new Map(Object.entries(headers)),
  body: Buffer.from(body),
  url,
});

describe("redactExchange", () => {
  it("finds the secrets a request carries, but not an ordinary Basic user name", () => {
    const basic = Buffer.from("admin:hunter2-password").toString("base64");
    expect(requestSecrets(request({ authorization: `Basic ${basic}` }))).toEqual([
      `Basic ${basic}`,
      basic,
      "hunter2-password",
    ]);
    const keyAsUser = Buffer.from("tskey-api-abcdef:").toString("base64");
    expect(requestSecrets(request({ Authorization: `Basic ${keyAsUser}` }))).toContain("tskey-api-abcdef");
    expect(requestSecrets(request({ cookie: "a=cookie-one; b=cookie-two" }))).toEqual(
      expect.arrayContaining(["cookie-one", "cookie-two"]),
    );
    expect(
      requestSecrets(request({ DPoP: "eyJ.proof.sig", "x-api-key": "k-123456", accept: "json" })),
    ).toEqual(["eyJ.proof.sig", "k-123456"]);
  });

  it("replaces credential headers, masks headers holding a known secret, and redacts URLs in links", () => {
    const saved = redactExchange(
      request(
        { authorization: "Bearer live-token-123456" },
        "https://u:p@api.example.com/logs?api_key=k1&limit=2",
      ),
      response(
        {
          "set-cookie": ["a=1", "b=2"],
          "dpop-nonce": ["n-1"],
          "x-ratelimit-remaining": ["10"],
          "x-debug": ["token was live-token-123456"],
          link: ['<https://api.example.com/logs?after=x&api_key=k1>; rel="next"'],
        },
        "[]",
        "https://u:p@api.example.com/logs?api_key=k1&limit=2",
      ),
      [],
    );
    expect(saved.url).toBe("https://api.example.com/logs?api_key=REDACTED&limit=2");
    expect(saved.headers).toEqual({
      "set-cookie": ["REDACTED", "REDACTED"],
      "dpop-nonce": "REDACTED",
      "x-ratelimit-remaining": "10",
      "x-debug": "REDACTED",
      link: '<https://api.example.com/logs?after=x&api_key=REDACTED>; rel="next"',
    });
  });

  it("masks known secrets in the body and leaves other bodies byte for byte", () => {
    const leaky = redactExchange(
      request({ authorization: "SSWS okta-token-abcdef" }),
      response({}, '[{"echo":"okta-token-abcdef","other":"x"}]'),
      ["configured-secret-999"],
    );
    expect(Buffer.from(leaky.body_base64, "base64").toString()).toBe('[{"echo":"REDACTED","other":"x"}]');
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const untouched = redactExchange(request({}), { ...response({}, ""), body: binary }, [
      "configured-secret-999",
    ]);
    expect(Buffer.from(untouched.body_base64, "base64").equals(binary)).toBe(true);
  });

  it("records a body dropped for max_response_bytes as such, and replays it as such", () => {
    const dropped = { ...response({}, ""), oversizeBytes: 5_000_000 };
    const saved = redactExchange(request({}), dropped, []);
    expect(saved).toMatchObject({ body_base64: "", oversize_bytes: 5_000_000 });
    const replayed = decodeRecording(encodeRecording(saved), "000001.json");
    expect(replayed.oversizeBytes).toBe(5_000_000);
    expect(replayed.body.length).toBe(0);
    // An ordinary response carries no such field, either way.
    const plain = redactExchange(request({}), response({}, "[]"), []);
    expect("oversize_bytes" in plain).toBe(false);
    expect(decodeRecording(encodeRecording(plain), "000002.json").oversizeBytes).toBeUndefined();
  });
});
