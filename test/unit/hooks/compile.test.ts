import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { compileHookScript } from "../../../compiler/hooks/compile.ts";
import type { HookSourceInput } from "../../../compiler/hooks/types.ts";
import type { HookError } from "../../../runtime/hooks/errors.ts";
import { createHookSandbox } from "../../../runtime/hooks/sandbox.ts";
import type { HookScript } from "../../../runtime/hooks/types.ts";
import { TEST_LIMITS } from "./support.ts";

const ANDROMEDA = readFileSync(new URL("./fixtures/andromeda-audit.js", import.meta.url), "utf8");

const compile = (text: string, extra: Partial<HookSourceInput> = {}) =>
  compileHookScript({ name: "hooks/audit.js", text, language: "js", allowNetwork: true, ...extra });

/** The problems as `line:column kind: message`, for compact assertions. */
const brief = (problems: readonly { line: number; column: number; kind: string; message: string }[]) =>
  problems.map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`);

async function scriptOf(text: string, extra: Partial<HookSourceInput> = {}): Promise<HookScript> {
  const { script, problems } = await compile(text, extra);
  expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  if (!script) throw new Error("no script");
  return script;
}

async function thrownAt(script: HookScript, hook: "getAuth"): Promise<HookError> {
  const sandbox = await createHookSandbox(script, {
    sourceId: "s",
    limits: TEST_LIMITS,
    log: pino({ level: "silent" }),
  });
  try {
    return (await sandbox.call(hook, [{ env: {} }]).catch((e: unknown) => e)) as HookError;
  } finally {
    await sandbox.close();
  }
}

describe("compiling a JavaScript hook script", () => {
  it("embeds the file as written, with its hash, its hooks and the env names it reads", async () => {
    const { script, problems } = await compile(ANDROMEDA, { name: "andromeda-audit.js" });
    expect(problems).toEqual([]);
    expect(script).toEqual({
      name: "andromeda-audit.js",
      code: ANDROMEDA,
      sha256: createHash("sha256").update(ANDROMEDA).digest("hex"),
      hooks: ["getAuth", "buildRequest", "parseResponse", "getNextPage", "commitState"],
      env: ["ANDROMEDA_API_URL", "ANDROMEDA_COOKIE", "ANDROMEDA_PAT"],
    });
    const changed = await scriptOf(`${ANDROMEDA}\n// changed`);
    expect(changed.sha256).not.toBe(script?.sha256);
  });

  it("reports a syntax error at its line and column, counted in characters", async () => {
    const { script, problems } = await compile(
      'const é = "ü";\nfunction getAuth(ctx) {\n  const x = ü + ;\n}',
    );
    expect(script).toBeUndefined();
    expect(brief(problems)).toEqual(['3:17 syntax: Unexpected ";"']);
  });

  it("rejects what QuickJS would reject even when esbuild accepts it", async () => {
    const { problems } = await compile(
      "const token = await Promise.resolve(1);\nfunction getAuth() { return null; }",
    );
    expect(problems.map((p) => [p.kind, p.line])).toEqual([["syntax", 1]]);
    expect(problems[0]?.message).toContain("(QuickJS)");
  });

  it("requires at least one hook, and points out near misses", async () => {
    const { script, problems } = await compile(
      "function getauth(ctx) { return null; }\nvar parseResponses = 1;",
    );
    expect(script).toBeUndefined();
    expect(brief(problems)).toEqual([
      "1:1 no-hooks: the script defines none of the hooks getAuth, buildRequest, parseResponse, getNextPage, commitState",
      "1:10 misspelled-hook: getauth is not a hook name",
      "2:5 misspelled-hook: parseResponses is not a hook name",
    ]);
    expect(problems.map((p) => p.hint)).toEqual([
      undefined,
      "did you mean `getAuth`?",
      "did you mean `parseResponse`?",
    ]);
  });

  it("rejects module imports before anything else", async () => {
    const { script, problems } = await compile(
      'import fs from "node:fs";\nconst lib = import("./lib.js");\nfunction getAuth() { return null; }',
    );
    expect(script).toBeUndefined();
    expect(brief(problems)).toEqual([
      '1:1 import: hook scripts cannot import modules ("node:fs"): the sandbox has no module loader',
      "2:13 import: import() is not available: the sandbox has no module loader",
    ]);
  });

  it("warns about Node globals, and about fetch without allow_network", async () => {
    const line = 'function getAuth(ctx) { return { cookie: require("x") + process.env.HOME + fetch("u") }; }';
    const { script, problems } = await compile(line, { allowNetwork: false });
    expect(script?.hooks).toEqual(["getAuth"]);
    const at = (word: string) => line.indexOf(word) + 1;
    expect(brief(problems)).toEqual([
      `1:${at("require")} unavailable-global: require does not exist in the hook sandbox`,
      `1:${at("process")} unavailable-global: process does not exist in the hook sandbox`,
      `1:${at("fetch")} fetch-without-network: fetch() does not exist unless global.hooks.allow_network is true`,
    ]);
    expect(script?.env).toEqual([]);
  });
});

describe("ctx.env: only what the script reads, by name", () => {
  it.each([
    ["ctx.env.A", ["A"]],
    ['ctx.env["A"] + ctx.env?.B', ["A", "B"]],
    ["(ctx.env || {}).A", ["A"]],
    ["ctx.env && ctx.env.A ? 1 : 0", ["A"]],
    ['"A" in ctx.env', ["A"]],
    ["(function () { const { A, B: b, ['C']: c } = ctx.env; return A + b + c; })()", ["A", "B", "C"]],
    ["(function () { const env = ctx.env; return env.A + env.B; })()", ["A", "B"]],
    ["(function ({ env }) { return env.A; })(ctx)", ["A"]],
    ["(function ({ env: { A } }) { return A; })(ctx)", ["A"]],
  ])("%s reads %j", async (expression, names) => {
    const script = await scriptOf(`function getAuth(ctx) { return { cookie: String(${expression}) }; }`);
    expect(script.env).toEqual(names);
  });

  it.each([
    ["ctx.env[name]", "ctx.env[name]"],
    ["Object.keys(ctx.env)", "ctx.env"],
    ["JSON.stringify(ctx.env)", "ctx.env"],
    ["(function () { const { ...all } = ctx.env; return all; })()", "...all"],
  ])("%s hides its names: an error unless hooks.env lists them", async (expression, reported) => {
    const text = `function getAuth(ctx, name) { return { cookie: String(${expression}) }; }`;
    const { script, problems } = await compile(text);
    expect(script).toBeUndefined();
    const column = text.indexOf(reported) + 1;
    expect(brief(problems)).toEqual([
      `1:${column} dynamic-env: ctx.env is used in a way that hides which variables the script reads`,
    ]);
    const listed = await scriptOf(text, { env: ["TOKEN", "API_URL", "TOKEN"] });
    expect(listed.env).toEqual(["API_URL", "TOKEN"]);
  });

  it("with hooks.env, a literal read of a name it does not list is an error", async () => {
    const text = "function getAuth(ctx) { return { cookie: ctx.env.TOKEN + ctx.env.OTHER }; }";
    const { problems } = await compile(text, { env: ["TOKEN"] });
    expect(brief(problems)).toEqual([
      `1:${text.indexOf("OTHER") + 1} env-not-listed: the script reads ctx.env.OTHER, which hooks.env does not list`,
    ]);
  });
});

describe("TypeScript and scripts with exports", () => {
  const TS = [
    'import type { HookContext, AuthResult } from "./helr-hooks";',
    "",
    "interface Login { readonly token: string }",
    "",
    "function getAuth(ctx: HookContext): AuthResult | null {",
    "  const login: Login = { token: ctx.env.TOKEN ?? '' };",
    "  if (!login.token) throw new Error('TOKEN is not set');",
    "  return { headers: { Authorization: `Bearer ${login.token}` } };",
    "}",
  ].join("\n");

  it("strips the types, keeps a source map, and maps a runtime error back to the .ts line", async () => {
    const script = await scriptOf(TS, { name: "hooks/audit.ts", language: "ts" });
    expect(script.code).not.toContain("interface");
    expect(script.sourceMap).toBeDefined();
    expect(script.env).toEqual(["TOKEN"]);
    const error = await thrownAt(script, "getAuth");
    expect(error.message).toContain("hook getAuth threw Error: TOKEN is not set (at hooks/audit.ts:7:");
    expect(error.location?.line).toBe(7);
  });

  it("rejects a value import in TypeScript (type-only imports are erased)", async () => {
    const { problems } = await compile(TS.replace("import type", "import"), { name: "a.ts", language: "ts" });
    expect(problems.map((p) => [p.kind, p.line, p.hint])).toEqual([
      ["import", 1, "inline what you need; for types only, write `import type`"],
    ]);
  });

  it("takes the exports of a script with exports as its hooks, and warns about unexported ones", async () => {
    const text = [
      "const PAGE = 50;",
      "export function getAuth(ctx) { throw new Error('page ' + PAGE); }",
      "function commitState() { return {}; }",
    ].join("\n");
    const { script, problems } = await compile(text);
    expect(brief(problems)).toEqual(["3:10 not-exported: commitState is not exported, so it is not a hook"]);
    expect(script?.hooks).toEqual(["getAuth"]);
    expect(script?.exportsGlobal).toBe("__helrHooks");
    const error = await thrownAt(script as HookScript, "getAuth");
    expect(error.message).toContain("threw Error: page 50 (at hooks/audit.js:2:");
  });
});
