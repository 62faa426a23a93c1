import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import {
  createHookSandbox,
  type HookSandbox,
  type HookSandboxOptions,
} from "../../../runtime/hooks/sandbox.ts";
import { HOOK_NAMES, type HookScript } from "../../../runtime/hooks/types.ts";

/** A HookScript for plain JS `code`, as the compiler would hand it over (hooks found by name). */
export function jsScript(code: string, extra: Partial<HookScript> = {}): HookScript {
  return {
    name: "test-hooks.js",
    code,
    sha256: createHash("sha256").update(code).digest("hex"),
    hooks: HOOK_NAMES.filter((name) => code.includes(name)),
    env: [],
    ...extra,
  };
}

/** A pino logger that keeps every line it writes, parsed. */
export function captureLog(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    log: pino({ level: "debug" }, stream),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Limits small enough for tests to hit quickly. */
export const TEST_LIMITS = { timeoutMs: 500, memoryLimitMb: 32 } as const;

/** A sandbox over `code` with test limits and a silent log, unless `options` says otherwise. */
export function sandboxFor(
  code: string,
  options: Partial<HookSandboxOptions> = {},
  extra: Partial<HookScript> = {},
): Promise<HookSandbox> {
  return createHookSandbox(jsScript(code, extra), {
    sourceId: "test-source",
    limits: TEST_LIMITS,
    log: pino({ level: "silent" }),
    ...options,
  });
}
