import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../../compiler/bundle/package-root.ts";
import { NODE_SCRIPT } from "../../../compiler/bundle/script-options.ts";
import { jsScript } from "./support.ts";

const run = promisify(execFile);

/** Bundles `entry` (resolved from the package root) the way helrc bundles: one CommonJS file. */
async function bundle(entry: string): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    ...NODE_SCRIPT,
    metafile: true,
    stdin: { contents: entry, resolveDir: PACKAGE_ROOT, sourcefile: "entry.ts", loader: "ts" },
  });
  return { code: result.outputFiles[0]?.text ?? "", metafile: result.metafile };
}

/** Files that put code into the output (metafile inputs also list what tree shaking dropped). */
const contributing = (metafile: Metafile) =>
  Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
  );

const SCRIPT = jsScript(
  "async function getAuth(ctx) { await null; return { cookie: 'v=' + ctx.n }; }\nfunction buildRequest() { for (;;) {} }",
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "helr-hooks-bundle-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("hooks in a one-file bundle", () => {
  it("runs from one CommonJS file outside the checkout: QuickJS's WebAssembly is inside it", async () => {
    const entry = `
      import { createHookSandbox } from "./runtime/hooks/index.ts";
      const log = { debug() {}, info() {}, warn() {}, error() {} };
      (async () => {
        const sandbox = await createHookSandbox(${JSON.stringify(SCRIPT)}, {
          sourceId: "bundled", limits: { timeoutMs: 300, memoryLimitMb: 32 }, log,
        });
        const auth = await sandbox.call("getAuth", [{ n: 7 }]);
        const stopped = await sandbox.call("buildRequest", [{}]).catch((e) => e.code);
        await sandbox.close();
        console.log(JSON.stringify({ auth, stopped }));
      })();
    `;
    const { code, metafile } = await bundle(entry);
    expect(contributing(metafile).some((file) => file.includes("quickjs-singlefile-cjs-release-sync"))).toBe(
      true,
    );
    const file = join(dir, "hooks.cjs");
    await writeFile(file, code);
    const { stdout } = await run(process.execPath, [file], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({ auth: { cookie: "v=7" }, stopped: "HELR_HOOK_TIMEOUT" });
  });

  it("leaves QuickJS out of a bundle that uses no sandbox", async () => {
    const { metafile } = await bundle(`
      import { hostAllowed, HOOK_NAMES } from "./runtime/hooks/index.ts";
      console.log(hostAllowed("a.example.com", ["*.example.com"]), HOOK_NAMES.length);
    `);
    const files = contributing(metafile);
    expect(files.some((file) => file.includes("runtime/hooks/fetch-policy.ts"))).toBe(true);
    expect(files.filter((file) => file.includes("quickjs"))).toEqual([]);
  });
});
