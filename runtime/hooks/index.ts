/**
 * JS hooks: a source's script, compiled by helrc, run in a QuickJS sandbox (docs/hooks.md).
 * The engine uses {@link createHookRunner}; the rest is exported for tests and tools.
 */
export type { HookContext, HookContextInput, HookRequest, HookResponseInput } from "./contract.ts";
export { hookContext, hookEnv, hookResponse } from "./contract.ts";
export { HOOK_ERROR_CODES, HookError, type HookErrorCode, type ScriptLocation } from "./errors.ts";
export { allowedHostSet, decideFetch, hostAllowed } from "./fetch-policy.ts";
export type { HookFetchOptions } from "./host-requests.ts";
export { MIN_MEMORY_LIMIT_MB } from "./quickjs.ts";
export { createHookRunner, type HookEventRecord, type HookRunner, type HookRunnerOptions } from "./runner.ts";
export { createHookSandbox, type HookLog, type HookSandbox, type HookSandboxOptions } from "./sandbox.ts";
export type { AuthResult, HookEvent, NextPage, RequestOverride, StateChanges } from "./shape.ts";
export { HOOK_NAMES, type HookLimits, type HookName, type HookScript } from "./types.ts";
