import { readFileSync } from "node:fs";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BundleResult,
  bundleModules,
  NATIVE_ADDON_MODULE,
  PACKAGE_ROOT,
} from "../../compiler/bundle/index.ts";
import { type EmitInput, emitProgram, sourceFactories } from "../../compiler/emit/index.ts";
import {
  AUTH_FACTORIES,
  PAGINATION_FACTORIES,
  STORE_FACTORIES,
} from "../../compiler/emit/runtime-imports.ts";
import { globalSpec, linkHeaderSource, singleRequestSource } from "../unit/compiler/emit/support/specs.ts";

/**
 * A bundle links only the runtime factories its sources use: the per-source imports in
 * generated code plus tree shaking must keep every other factory's file out of the metafile.
 */

/** Runtime factory export name → the runtime file that defines it (from runtime/index.ts). */
function factoryFiles(): Map<string, string> {
  const text = readFileSync(new URL("../../runtime/index.ts", import.meta.url), "utf8");
  const index = ts.createSourceFile("index.ts", text, ts.ScriptTarget.ES2022);
  const files = new Map<string, string>();
  for (const statement of index.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly || !statement.moduleSpecifier) continue;
    const from = (statement.moduleSpecifier as ts.StringLiteral).text.replace(/^\.\//, "runtime/");
    const clause = statement.exportClause;
    if (clause && ts.isNamedExports(clause)) for (const el of clause.elements) files.set(el.name.text, from);
  }
  return files;
}

const ALL_FACTORIES = [
  ...Object.values(AUTH_FACTORIES),
  ...Object.values(PAGINATION_FACTORIES),
  ...Object.values(STORE_FACTORIES),
];

function usedFactories(program: EmitInput): Set<string> {
  const used = new Set<string>([STORE_FACTORIES.memory, STORE_FACTORIES[program.global.state.backend]]);
  for (const spec of program.sources) {
    const { auth, pagination } = sourceFactories(spec);
    if (auth) used.add(auth);
    used.add(pagination);
  }
  return used;
}

/** Files of factories this program does not use; none may be bundled. */
function unusedFactoryFiles(program: EmitInput): string[] {
  const files = factoryFiles();
  const used = usedFactories(program);
  const usedFiles = new Set([...used].map((name) => files.get(name)));
  return ALL_FACTORIES.filter((name) => !used.has(name))
    .map((name) => files.get(name) ?? `runtime/<no file for ${name}>`)
    .filter((file) => !usedFiles.has(file));
}

/**
 * Files that contribute code to the output. `metafile.inputs` also lists every file esbuild
 * parsed (all of runtime/index.ts's re-exports), including those tree shaking then dropped.
 */
function inputsOf(bundle: BundleResult): string[] {
  const outputs = Object.values(bundle.metafile.outputs);
  expect(outputs).toHaveLength(1);
  return Object.entries(outputs[0]?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => file);
}

const specialised: EmitInput = {
  global: globalSpec("sqlite"),
  sources: [linkHeaderSource("okta"), linkHeaderSource("okta-eu")],
};
const control: EmitInput = { global: globalSpec("memory"), sources: [singleRequestSource("plain")] };
let specialisedBundle: BundleResult;
let controlBundle: BundleResult;

beforeAll(async () => {
  [specialisedBundle, controlBundle] = await Promise.all([
    bundleModules(emitProgram(specialised, "0.1.0"), { version: "0.1.0" }),
    bundleModules(emitProgram(control, "0.1.0"), { version: "0.1.0" }),
  ]);
});

describe("bearer + Link header + SQLite bundle", () => {
  it("knows where every factory lives (guards the rest of this file)", () => {
    const files = factoryFiles();
    for (const name of ALL_FACTORIES) expect(files.get(name), name).toMatch(/^runtime\/.+\.ts$/);
    expect(unusedFactoryFiles(specialised).length).toBeGreaterThan(0);
  });

  it("contains the factories it uses", () => {
    const files = factoryFiles();
    const inputs = inputsOf(specialisedBundle);
    for (const name of usedFactories(specialised)) expect(inputs, name).toContain(files.get(name));
    expect(inputs).toContain(`helr-native:better_sqlite3.node`);
  });

  it("contains no other factory's file", () => {
    const inputs = new Set(inputsOf(specialisedBundle));
    for (const file of unusedFactoryFiles(specialised)) expect(inputs.has(file), file).toBe(false);
  });

  it("contains no Redis or Postgres client", () => {
    expect(
      inputsOf(specialisedBundle).filter((f) => /node_modules\/(ioredis|pg|pg-[^/]+|redis)\//.test(f)),
    ).toEqual([]);
  });

  it("names inputs relative to the package, never by absolute path", () => {
    for (const file of inputsOf(specialisedBundle)) expect(file).not.toMatch(/^\//);
  });

  it("is reproducible and free of build-machine paths", async () => {
    const again = await bundleModules(emitProgram(specialised, "0.1.0"), {
      version: "0.1.0",
      outFile: "elsewhere/x.js",
    });
    expect(Buffer.from(again.code).equals(Buffer.from(specialisedBundle.code))).toBe(true);
    const text = Buffer.from(specialisedBundle.code).toString("latin1");
    expect(text).not.toContain(PACKAGE_ROOT);
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
  });
});

describe("negative control: single-request, no auth, memory state", () => {
  it("leaves out the Link-header paginator, bearer auth and the SQLite store", () => {
    const files = factoryFiles();
    const inputs = new Set(inputsOf(controlBundle));
    for (const name of ["linkHeaderPagination", "bearerAuth", "sqliteStore"]) {
      expect(inputs.has(files.get(name) ?? ""), name).toBe(false);
    }
    for (const file of unusedFactoryFiles(control)) expect(inputs.has(file), file).toBe(false);
  });

  it("embeds neither better-sqlite3 nor its native addon", () => {
    const inputs = inputsOf(controlBundle);
    expect(
      inputs.filter(
        (f) => f.includes("better-sqlite3") || f.startsWith(NATIVE_ADDON_MODULE.split(":")[0] ?? ""),
      ),
    ).toEqual([]);
    // The embedded addon alone is over 1 MB in the specialised bundle (a proxy that holds as the
    // shared runtime grows, unlike a ratio of the two sizes).
    expect(specialisedBundle.code.length - controlBundle.code.length).toBeGreaterThan(1_000_000);
  });
});
