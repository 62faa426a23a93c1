import { describe, expect, it } from "vitest";
import { assignFileNames, fileStem, SAFE_FILE_NAME } from "../../../../compiler/emit/file-names.ts";

describe("fileStem", () => {
  it.each([
    ["okta_audit", "okta-audit"],
    ["Okta Audit!", "okta-audit"],
    ["--x--", "x"],
    ["café", "cafe"],
    ["日本", "source"],
    ["", "source"],
    ["../../etc/passwd", "etc-passwd"],
  ])("%j → %j", (id, stem) => expect(fileStem(id)).toBe(stem));

  it("caps long ids", () => {
    expect(fileStem("a".repeat(500)).length).toBeLessThanOrEqual(60);
  });
});

describe("assignFileNames", () => {
  it("disambiguates ids that fold to one name, by code-unit order of the ids", () => {
    const names = assignFileNames(["okta_audit", "okta-audit", "OKTA audit"]);
    expect(names).toEqual(
      new Map([
        ["OKTA audit", "okta-audit.ts"],
        ["okta-audit", "okta-audit-2.ts"],
        ["okta_audit", "okta-audit-3.ts"],
      ]),
    );
    expect(assignFileNames(["OKTA audit", "okta_audit", "okta-audit"])).toEqual(names);
  });

  it("never produces index.ts or a Windows device name, and skips suffixes already taken", () => {
    const names = assignFileNames(["index", "con", "a", "a-2", "A"]);
    expect(names.get("index")).toBe("index-2.ts");
    expect(names.get("con")).toBe("con-2.ts");
    expect(new Set(names.values()).size).toBe(5);
    for (const name of names.values()) expect(name).toMatch(SAFE_FILE_NAME);
  });
});
