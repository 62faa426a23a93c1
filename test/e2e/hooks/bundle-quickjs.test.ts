/**
 * QuickJS is in a bundle only when a source has hooks (issue 20, docs/hooks.md "In the bundle"):
 * the real pipeline (analyzeProgram → emitProgram → bundleModules) on a config without hooks and on
 * the Andromeda catalog source, compared by the esbuild metafile's contributing inputs — the same
 * check as the other specialisation tests — and by the built file itself.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type BundleResult, bundleModules } from "../../../compiler/bundle/index.ts";
import { emitProgram } from "../../../compiler/emit/index.ts";
import { analyzeProgram } from "../../../compiler/pipeline.ts";
import { ROOT } from "../../support/bundle.ts";

async function bundleOf(path: string, text: string): Promise<BundleResult> {
  const read = (file: string) => readFile(join(ROOT, file), "utf8").catch(() => undefined);
  const result = await analyzeProgram([{ path, text }], read);
  expect(result.diagnostics).toEqual([]);
  if (result.program === undefined) throw new Error(`${path} did not compile`);
  return bundleModules(emitProgram(result.program, "0.1.0"), { version: "0.1.0" });
}

/** Inputs that put bytes into the output (the metafile also lists what tree shaking dropped). */
const contributing = (bundle: BundleResult) =>
  Object.values(bundle.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
  );
const text = (bundle: BundleResult) => new TextDecoder().decode(bundle.code);
const quickjsInputs = (bundle: BundleResult) =>
  contributing(bundle).filter((file) => /quickjs|runtime\/hooks\/(quickjs|vm|sandbox)\.ts/.test(file));

let plain: BundleResult;
let hooked: BundleResult;
beforeAll(async () => {
  const andromeda = "sources/andromeda-audit.yaml";
  [plain, hooked] = await Promise.all([
    bundleOf("plain.yaml", "sources:\n  plain:\n    url: https://api.example.com/logs\n"),
    bundleOf(andromeda, await readFile(join(ROOT, andromeda), "utf8")),
  ]);
}, 120_000);

describe("QuickJS in the bundle", () => {
  it("is absent from a bundle whose sources use no hooks", () => {
    expect(quickjsInputs(plain)).toEqual([]);
    expect(text(plain)).not.toContain("quickjs-emscripten");
    expect(text(plain)).not.toContain("WebAssembly.instantiate");
  });

  it("is embedded, WebAssembly included, in a bundle with a hooks source", () => {
    const inputs = quickjsInputs(hooked);
    expect(inputs.some((file) => file.includes("quickjs-singlefile-cjs-release-sync"))).toBe(true);
    expect(inputs.some((file) => file.endsWith("runtime/hooks/sandbox.ts"))).toBe(true);
    expect(text(hooked)).toContain("WebAssembly.instantiate");
    // The compiled script is embedded too (its hash makes a changed script a changed bundle).
    expect(text(hooked)).toContain("AndromedaEventsList");
  });
});
