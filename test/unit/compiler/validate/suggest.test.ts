import { describe, expect, it } from "vitest";
import { closestMatch, editDistance } from "../../../../compiler/validate/suggest.ts";

describe("editDistance (optimal string alignment)", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["kitten", "sitting", 3],
    ["paginaton", "pagination", 1],
    ["pagniation", "pagination", 1],
    ["ca", "abc", 3],
  ] as const)("%s → %s = %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("closestMatch", () => {
  const keys = ["url", "method", "pagination", "schedule", "source_label_key", "source_label_value"];

  it("suggests close typos, swaps, case and dash slips", () => {
    expect(closestMatch("paginaton", keys)).toBe("pagination");
    expect(closestMatch("shcedule", keys)).toBe("schedule");
    expect(closestMatch("URL", keys)).toBe("url");
    expect(closestMatch("source-label-key", keys)).toBe("source_label_key");
    expect(closestMatch("urll", keys)).toBe("url");
  });

  it("stays quiet when nothing is close", () => {
    expect(closestMatch("token", keys)).toBeUndefined();
    expect(closestMatch("xy", keys)).toBeUndefined();
    expect(closestMatch("retries", keys)).toBeUndefined();
  });

  it("breaks ties alphabetically, so hints are deterministic", () => {
    expect(closestMatch("abx", ["abz", "aby"])).toBe("aby");
  });
});
