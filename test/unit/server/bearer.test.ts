import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bearerAuthorizer } from "../../../runtime/server/bearer.ts";

describe("bearer authorizer", () => {
  const authorize = bearerAuthorizer("tok-123");

  it("accepts exactly `Bearer <token>` (scheme case-insensitive)", () => {
    expect(authorize("Bearer tok-123")).toBe(true);
    expect(authorize("bearer tok-123")).toBe(true);
    expect(authorize("Bearer  tok-123 ")).toBe(true);
  });

  it("refuses a missing header, other schemes, a prefix, a longer token, or an empty one", () => {
    for (const header of [
      undefined,
      "",
      "tok-123",
      "Basic tok-123",
      "Bearer tok-12",
      "Bearer tok-1234",
      "Bearer ",
      "Bearer tok-123 x",
    ]) {
      expect(authorize(header), String(header)).toBe(false);
    }
  });

  it("accepts no header but the right one, for any token", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\S{1,40}$/), fc.stringMatching(/^\S{0,40}$/), (token, other) => {
        const check = bearerAuthorizer(token);
        expect(check(`Bearer ${token}`)).toBe(true);
        if (other !== token) expect(check(`Bearer ${other}`)).toBe(false);
      }),
    );
  });

  it("refuses to be built with an empty token", () => {
    expect(() => bearerAuthorizer("")).toThrow(/empty/);
  });
});
