import { afterEach, describe, expect, it } from "vitest";
import { HookError } from "../../../runtime/hooks/errors.ts";
import type { HookSandbox } from "../../../runtime/hooks/sandbox.ts";
import { HOOK_NAMES } from "../../../runtime/hooks/types.ts";
import { captureLog, sandboxFor } from "./support.ts";

let sandbox: HookSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function failure(promise: Promise<unknown>): Promise<HookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HookError);
  return error as HookError;
}

/** Every hook throws from its own line: line n+1 for the n-th hook. */
const THROWING = HOOK_NAMES.map((name) => `function ${name}() { throw new Error("${name} broke"); }`).join(
  "\n",
);
const REJECTING = HOOK_NAMES.map(
  (name) => `async function ${name}() { await null; throw new TypeError("${name} rejected"); }`,
).join("\n");

describe("hook errors name the source, the hook and the script line", () => {
  it.each(HOOK_NAMES.map((name, index) => [name, index + 1] as const))(
    "a throw in %s is reported at line %i",
    async (hook, line) => {
      sandbox ??= await sandboxFor(THROWING);
      const error = await failure(sandbox.call(hook, [{}, {}, {}]));
      expect(error.code).toBe("HELR_HOOK_ERROR");
      expect(error.message).toBe(
        `source "test-source": hook ${hook} threw Error: ${hook} broke (at test-hooks.js:${line}:${30 + hook.length})`,
      );
      expect(error).toMatchObject({ sourceId: "test-source", hook, script: "test-hooks.js" });
    },
  );

  it.each(HOOK_NAMES.map((name, index) => [name, index + 1] as const))(
    "a rejection after an await in %s is reported at line %i",
    async (hook, line) => {
      sandbox ??= await sandboxFor(REJECTING);
      const error = await failure(sandbox.call(hook, [{}, {}, {}]));
      expect(error.code).toBe("HELR_HOOK_ERROR");
      expect(error.message).toContain(
        `hook ${hook} threw TypeError: ${hook} rejected (at test-hooks.js:${line}:`,
      );
    },
  );

  it("reports a thrown non-Error value as it is", async () => {
    sandbox = await sandboxFor("function getAuth() { throw 'no token'; }");
    expect((await failure(sandbox.call("getAuth", [{}]))).message).toBe(
      'source "test-source": hook getAuth threw no token (in test-hooks.js)',
    );
  });

  it("masks secret values in what the script throws", async () => {
    sandbox = await sandboxFor("function getAuth(ctx) { throw new Error('bad token ' + ctx.token); }", {
      secrets: () => ["s3cr3t-t0ken"],
    });
    const error = await failure(sandbox.call("getAuth", [{ token: "s3cr3t-t0ken" }]));
    expect(error.message).toContain("threw Error: bad token REDACTED");
    expect(error.message).not.toContain("s3cr3t");
  });

  it("rejects a result that is not JSON as a shape error", async () => {
    sandbox = await sandboxFor("function commitState() { return { n: 10n }; }");
    const error = await failure(sandbox.call("commitState", [{}, []]));
    expect(error.code).toBe("HELR_HOOK_SHAPE");
    expect(error.message).toContain("hook commitState returned a value that is not JSON");
  });

  it("fails calls after close", async () => {
    const closed = await sandboxFor("function getAuth() { return null; }");
    await closed.close();
    expect((await failure(closed.call("getAuth", [{}]))).code).toBe("HELR_HOOK_CLOSED");
  });
});

describe("a script that does not load fails when the sandbox is created", () => {
  it.each([
    [
      "a syntax error, at its line and column",
      "function getAuth(ctx) {\n  return {;\n}",
      "HELR_HOOK_LOAD",
      "SyntaxError",
      { line: 2, column: 11 },
    ],
    [
      "a throw in top-level code",
      "var x = 1;\nnull.boom;\nfunction getAuth() {}",
      "HELR_HOOK_LOAD",
      "TypeError",
      { line: 2, column: 5 },
    ],
    ["no hooks at all", "function getAuthh() {}", "HELR_HOOK_LOAD", "defines none of the hooks", undefined],
  ] as const)("%s", async (_what, code, codeName, text, location) => {
    const error = await failure(sandboxFor(code));
    expect(error.code).toBe(codeName);
    expect(error.message).toContain(text);
    expect(error.location).toEqual(location);
  });

  it("names a hook that is bound to something other than a function", async () => {
    const error = await failure(sandboxFor("var getAuth = 5;\nfunction parseResponse() { return []; }"));
    expect(error.message).toBe(
      'source "test-source": hook getAuth is defined but is a number, not a function (in test-hooks.js)',
    );
  });

  it("finds hooks bound with let and const too", async () => {
    sandbox = await sandboxFor(
      "const getAuth = () => ({ cookie: 'c' });\nlet commitState = async () => null;",
    );
    expect([...sandbox.hooks]).toEqual(["getAuth", "commitState"]);
    expect(await sandbox.call("getAuth", [{}])).toEqual({ cookie: "c" });
  });
});

describe("console", () => {
  it("forwards console.* to the log with hook_console, the level and the hook, secrets masked", async () => {
    const { log, lines } = captureLog();
    sandbox = await sandboxFor(
      [
        "console.info('loaded');",
        "function getAuth(ctx) {",
        "  console.log('token', ctx.token, { page: 1 });",
        "  console.warn('careful'); console.error(new Error('bad')); console.debug('detail', [1, 2]);",
        "  return null;",
        "}",
      ].join("\n"),
      { log, secrets: () => ["tok-123456"] },
    );
    await sandbox.call("getAuth", [{ token: "tok-123456" }]);
    const consoleLines = lines().filter((line) => line.msg === "hook console");
    expect(consoleLines.map((l) => [l.level, l.hook, l.hook_console])).toEqual([
      [30, undefined, "loaded"],
      [30, "getAuth", 'token REDACTED {"page":1}'],
      [40, "getAuth", "careful"],
      [50, "getAuth", "Error: bad"],
      [20, "getAuth", "detail [1,2]"],
    ]);
    expect(consoleLines.every((l) => l.sourceId === "test-source")).toBe(true);
  });
});
