/**
 * Header injection at build time (issue 14): names must be HTTP tokens, values text HTTP can
 * carry, wherever a config names a header; both front ends; placeholders pass (checked at run time).
 */
import { describe, expect, it } from "vitest";
import { analyze } from "../../../../compiler/pipeline.ts";

/** `code line:col` for each header diagnostic of one file. */
function headerProblems(path: string, text: string): string[] {
  const result = analyze([{ path, text }]);
  const file = result.files[0];
  return result.diagnostics
    .filter((d) => d.code === "HLR3017" || d.code === "HLR3018" || d.code === "HLR2006")
    .map((d) => {
      const at = file?.positionAt(d.span.start);
      return `${d.code} ${at?.line}:${at?.column}`;
    });
}

const source = (body: string) => `sources:\n  s:\n    url: https://api.example.com/logs\n${body}`;

describe("header names and values", () => {
  it("accepts the usual ones, placeholders included", () => {
    const text = source(`    headers:
      Accept: application/json
      X-Tenant: "\${TENANT:-acme}"
      X-Name: "Zoë\\tMüller"
    auth: { type: api_key, header: X-API-Key, key_env: K }
    resilience:
      rate_limit:
        headers: { limit_header: X-Rate-Limit-Limit, remaining_header: X-Rate-Limit-Remaining, reset_header: X-Rate-Limit-Reset }
`);
    expect(analyze([{ path: "ok.yaml", text }]).diagnostics).toEqual([]);
  });

  it.each([
    [
      "auth.header with a colon",
      '    auth: { type: api_key, header: "X-Key:", key_env: K }\n',
      "HLR3017 4:36",
    ],
    [
      "auth.header with a space",
      '    auth: { type: api_key, header: "X Key", key_env: K }\n',
      "HLR3017 4:36",
    ],
    [
      "auth.header with CR/LF",
      '    auth: { type: api_key, header: "X-Key\\r\\nX: 1", key_env: K }\n',
      "HLR3017 4:36",
    ],
    [
      "auth.prefix with LF",
      '    auth: { type: bearer, token_env: T, prefix: "SSWS\\nX: 1" }\n',
      "HLR3018 4:49",
    ],
    ["auth.prefix with CR", '    auth: { type: bearer, token_env: T, prefix: "SSWS\\r" }\n', "HLR3018 4:49"],
    ["a header value with a control character", '    headers: { X-A: "a\\u001bb" }\n', "HLR3018 4:21"],
    ["a header value with DEL", '    headers: { X-A: "a\\u007f" }\n', "HLR3018 4:21"],
    ["a header value beyond Latin-1", '    headers: { X-A: "↑" }\n', "HLR3018 4:21"],
    [
      "a rate-limit header name",
      '    resilience: { rate_limit: { headers: { reset_header: "X:R" } } }\n',
      "HLR3017 4:58",
    ],
  ])("refuses %s at the value", (_what, body, expected) => {
    expect(headerProblems("s.yaml", source(body))).toEqual([expected]);
  });

  it("headers with a space, colon or control character in the name, or CR/LF in the value: schema errors at the key or value", () => {
    const text = source(`    headers:
      "X Bad": v
      "X:Bad": v
      "X\\u0001Bad": v
      X-Nl: "a\\r\\nb"
`);
    expect(headerProblems("s.yaml", text)).toEqual([
      "HLR2006 5:7",
      "HLR2006 6:7",
      "HLR2006 7:7",
      "HLR2006 8:13",
    ]);
  });

  it("checks global output.http.headers too", () => {
    const text = `global:\n  output:\n    http:\n      headers: { X-Token: "a\\u0000b", X-Ok: "\${T}" }\n${source("")}`;
    expect(headerProblems("g.yaml", text)).toEqual(["HLR2006 4:27"]);
    const control = `global:\n  output:\n    http:\n      headers: { X-Token: "a\\u0002b" }\n${source("")}`;
    expect(headerProblems("g.yaml", control)).toEqual(["HLR3018 4:27"]);
  });

  it("checks .helr sources the same way", () => {
    const helr = `source s {
  get "https://api.example.com/logs"
  auth api_key { header = "X-Key:"; key = env K }
  headers { X-A = "a\\u0007" }
}
`;
    expect(headerProblems("s.helr", helr)).toEqual(["HLR3017 3:27", "HLR3018 4:19"]);
  });
});
