import { describe, expect, it } from "vitest";
import { expand, PlaceholderError } from "../../../runtime/config/env.ts";

describe("placeholders", () => {
  const env = { HOST: "acme.okta.com", EMPTY: "" };
  it("expands ${VAR} and ${VAR:-default}", () => {
    expect(expand("https://${HOST}/api", env)).toBe("https://acme.okta.com/api");
    expect(expand("${MISSING:-http://127.0.0.1:8787}", env)).toBe("http://127.0.0.1:8787");
    expect(expand("${EMPTY:-fallback}", env)).toBe("fallback");
  });
  it("keeps $$ as a literal $ and leaves other dollars alone", () => {
    expect(expand("price $$5 and $HOME", env)).toBe("price $5 and $HOME");
  });
  it("names the variable and the source when unset", () => {
    expect(() => expand("${NOPE}", env, "okta-audit")).toThrow(PlaceholderError);
    expect(() => expand("${NOPE}", env, "okta-audit")).toThrow(/source "okta-audit".*NOPE/);
  });
});
