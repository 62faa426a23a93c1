import { describe, expect, it } from "vitest";
import { hookLanguage, hookScriptPath, inlineScriptName } from "../../../compiler/hooks/script-path.ts";

describe("hook script paths (the Rust Helr's rule)", () => {
  it.each([
    ["andromeda-audit.js", undefined, "hooks/andromeda-audit.js"],
    ["andromeda-audit.js", "", "hooks/andromeda-audit.js"],
    ["okta/login.ts", "./scripts", "scripts/okta/login.ts"],
    [" ./here.js ", "./scripts", "./here.js"],
    ["/etc/helr/hooks/a.js", "./scripts", "/etc/helr/hooks/a.js"],
    ["C:\\helr\\a.js", "./scripts", "C:\\helr\\a.js"],
  ])("%j under global.hooks.path %j is %j", (script, base, expected) => {
    expect(hookScriptPath(script, base)).toBe(expected);
  });

  it("tells TypeScript from JavaScript by extension, and names inline scripts by their key", () => {
    expect(["a.ts", "a.mts", "a.CTS", "a.js", "a.mjs", "a.ts.js"].map(hookLanguage)).toEqual([
      "ts",
      "ts",
      "ts",
      "js",
      "js",
      "js",
    ]);
    expect(inlineScriptName("okta-audit")).toBe("sources.okta-audit.hooks.script_inline");
  });
});
