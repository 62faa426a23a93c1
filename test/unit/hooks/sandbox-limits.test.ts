import { afterEach, describe, expect, it } from "vitest";
import { HookError } from "../../../runtime/hooks/errors.ts";
import type { HookSandbox } from "../../../runtime/hooks/sandbox.ts";
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

describe("hook sandbox limits", () => {
  it("stops an endless loop at timeout_secs, rebuilds the sandbox, and the next call works", async () => {
    const { log, lines } = captureLog();
    sandbox = await sandboxFor(
      [
        "var calls = 0;",
        "function buildRequest(ctx) {",
        "  calls++;",
        "  if (ctx.spin) { while (true) {} }",
        "  return { query: { calls: String(calls) } };",
        "}",
      ].join("\n"),
      { log },
    );
    expect(await sandbox.call("buildRequest", [{}])).toEqual({ query: { calls: "1" } });
    const error = await failure(sandbox.call("buildRequest", [{ spin: true }]));
    expect(error.code).toBe("HELR_HOOK_TIMEOUT");
    // QuickJS reports where it was interrupted: the loop's line (its column is QuickJS's choice).
    expect(error.message).toMatch(
      /^source "test-source": hook buildRequest timed out after 0\.5 s \(hooks\.timeout_secs\) \(at test-hooks\.js:4:\d+\)$/,
    );
    // The stopped call's globals were discarded: the script was evaluated afresh (calls restarts at 1).
    expect(await sandbox.call("buildRequest", [{}])).toEqual({ query: { calls: "1" } });
    expect(lines().filter((l) => String(l.msg).startsWith("hook sandbox rebuilt"))).toHaveLength(1);
  });

  it("stops an endless chain of awaits the same way", async () => {
    sandbox = await sandboxFor("async function commitState() { for (;;) await null; }");
    expect((await failure(sandbox.call("commitState", [{}, []]))).code).toBe("HELR_HOOK_TIMEOUT");
  });

  it("stops an endless loop in top-level code while the script loads", async () => {
    const error = await failure(sandboxFor("for (;;) {}\nfunction getAuth() { return null; }"));
    expect(error.code).toBe("HELR_HOOK_TIMEOUT");
    expect(error.hook).toBeUndefined();
    expect(error.location).toEqual({ line: 1, column: 1 });
  });

  it("stops a script that fills memory_limit_mb, and the next call works", async () => {
    sandbox = await sandboxFor(
      [
        "var kept = [];",
        "function parseResponse(ctx, response) {",
        "  if (response.status === 500) { for (;;) kept.push('x'.repeat(65536) + kept.length); }",
        "  return [{ event: kept.length }];",
        "}",
      ].join("\n"),
    );
    const error = await failure(sandbox.call("parseResponse", [{}, { status: 500 }]));
    expect(error.code).toBe("HELR_HOOK_MEMORY");
    expect(error.message).toContain("hook parseResponse ran out of memory (hooks.memory_limit_mb: 32)");
    expect(error.location?.line).toBe(3);
    expect(sandbox.memoryBytes()).toBeLessThanOrEqual(32 * 1024 * 1024);
    // The global that held the memory is gone with the rebuilt context.
    expect(await sandbox.call("parseResponse", [{}, { status: 200 }])).toEqual([{ event: 0 }]);
  });

  it("refuses one allocation larger than the limit as out of memory", async () => {
    sandbox = await sandboxFor("function getAuth() { return { cookie: 'x'.repeat(2 ** 28) }; }");
    expect((await failure(sandbox.call("getAuth", [{}]))).code).toBe("HELR_HOOK_MEMORY");
  });

  it("refuses a page too large for the sandbox before copying it in, and the next call works", async () => {
    sandbox = await sandboxFor("function parseResponse(ctx, r) { return [{ event: r.body.length }]; }");
    const page = (text: string) => sandbox?.call("parseResponse", [{}, { status: 200 }], { at: 1, text });
    const error = await failure(page("x".repeat(40 * 1024 * 1024)) as Promise<unknown>);
    expect(error.code).toBe("HELR_HOOK_MEMORY");
    expect(await page(JSON.stringify("y".repeat(8 * 1024 * 1024)))).toEqual([{ event: 8 * 1024 * 1024 }]);
  });

  it("turns unbounded recursion into an error of the call, not a crash of the process", async () => {
    sandbox = await sandboxFor(
      "function down(n) { return down(n + 1) + 1; }\nfunction getAuth(ctx) { return ctx.deep ? down(0) : null; }",
    );
    const error = await failure(sandbox.call("getAuth", [{ deep: true }]));
    expect(error.code).toBe("HELR_HOOK_ERROR");
    expect(error.message).toContain("threw InternalError: stack overflow");
    expect(error.location).toEqual({ line: 1, column: 31 });
    expect(await sandbox.call("getAuth", [{}])).toBeNull();
  });

  it("has no require, process, module, file system, timers or network by default", async () => {
    sandbox = await sandboxFor(
      "function getAuth() { return [typeof require, typeof process, typeof module, typeof exports, typeof std, " +
        "typeof os, typeof setTimeout, typeof fetch, typeof WebAssembly, typeof Deno, typeof Bun].join(); }\n" +
        "function buildRequest() { return require('fs'); }",
    );
    expect(await sandbox.call("getAuth", [{}])).toBe(Array(11).fill("undefined").join());
    const error = await failure(sandbox.call("buildRequest", [{}]));
    expect(error.code).toBe("HELR_HOOK_ERROR");
    expect(error.message).toContain("threw ReferenceError: 'require' is not defined (at test-hooks.js:2:34)");
  });

  it("evaluates the script once: top-level state persists between calls", async () => {
    sandbox = await sandboxFor(
      "var loads = (globalThis.loads || 0) + 1; var n = 0;\nfunction getAuth() { n++; return { cookie: loads + '/' + n }; }",
    );
    expect(await sandbox.call("getAuth", [{}])).toEqual({ cookie: "1/1" });
    expect(await sandbox.call("getAuth", [{}])).toEqual({ cookie: "1/2" });
  });

  it("fails a Promise that can never settle at once, naming the hook", async () => {
    sandbox = await sandboxFor("function commitState() { return new Promise(function () {}); }");
    const error = await failure(sandbox.call("commitState", [{}, []]));
    expect(error.code).toBe("HELR_HOOK_STALLED");
    expect(error.hook).toBe("commitState");
  });

  it("awaits Promise-returning hooks", async () => {
    sandbox = await sandboxFor(
      "async function step(n) { await null; return n * 2; }\n" +
        "async function commitState(ctx, events) { const doubled = await step(events.length); return { n: String(doubled) }; }",
    );
    expect(await sandbox.call("commitState", [{}, [1, 2, 3]])).toEqual({ n: "6" });
  });
});
