import { createHash } from "node:crypto";
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleHasher } from "../../../runtime/observe/build-info.ts";
import { tempDir } from "../../support/bundle.ts";

describe("bundle hash", () => {
  it("is the SHA-256 prefix of the file the process started from, computed once", () => {
    const path = join(tempDir(), "helr.js");
    writeFileSync(path, "console.log(1)\n");
    const hash = bundleHasher(path);
    const expected = createHash("sha256").update("console.log(1)\n").digest("hex").slice(0, 16);
    expect(hash()).toBe(expected);
    writeFileSync(path, "changed after the first scrape\n");
    expect(hash()).toBe(expected);
  });

  it("is unknown when the file was replaced before the first scrape, or cannot be read", () => {
    const path = join(tempDir(), "helr.js");
    writeFileSync(path, "build 1\n");
    const hash = bundleHasher(path);
    writeFileSync(path, "build 2, a rebuild\n");
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(hash()).toBe("unknown");
    expect(bundleHasher(join(tempDir(), "missing.js"))()).toBe("unknown");
  });
});
