import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("docs/dsl-catalog.md", () => {
  it("shows the current catalog in both forms (regenerate with node scripts/gen-dsl-catalog.mjs)", () => {
    const result = spawnSync(process.execPath, ["scripts/gen-dsl-catalog.mjs", "--check"], {
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
