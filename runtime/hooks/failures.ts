import { HOOK_ERROR_CODES, HookError, type HookErrorSite } from "./errors.ts";
import type { LocationMapper } from "./location.ts";
import type { HookLimits, HookName } from "./types.ts";
import type { VmFailure } from "./vm.ts";

/** Everything needed to turn a VM failure into a {@link HookError}. */
export interface FailureContext {
  readonly sourceId: string;
  readonly script: string;
  readonly limits: HookLimits;
  readonly locations: LocationMapper;
  /** Masks secrets (the script's env values) in messages taken from the script. */
  readonly redact: (text: string) => string;
}

/** The script did not evaluate, or what it defines is unusable. */
export function loadFailure(context: FailureContext, failure: VmFailure): HookError {
  const site = siteOf(context, undefined, failure);
  if (failure.kind === "interrupted") return timeout(context, site);
  if (failure.kind === "memory") return memory(context, site);
  return new HookError(HOOK_ERROR_CODES.load, site, `failed to load: ${thrown(context, failure)}`);
}

/** A hook call that failed inside the VM. */
export function callFailure(context: FailureContext, hook: HookName, failure: VmFailure): HookError {
  const site = siteOf(context, hook, failure);
  switch (failure.kind) {
    case "interrupted":
      return timeout(context, site);
    case "memory":
      return memory(context, site);
    case "encode":
      return new HookError(
        HOOK_ERROR_CODES.shape,
        site,
        `returned a value that is not JSON (${context.redact(failure.message)})`,
      );
    case "throw":
      return new HookError(HOOK_ERROR_CODES.error, site, `threw ${thrown(context, failure)}`);
  }
}

/** A call that passed its deadline while waiting for fetch() or other Promises. */
export function awaitTimeout(context: FailureContext, hook: HookName): HookError {
  return timeout(context, { sourceId: context.sourceId, script: context.script, hook });
}

/** The hook's Promise can never settle: nothing is in flight that could resolve it. */
export function stalled(context: FailureContext, hook: HookName): HookError {
  return new HookError(
    HOOK_ERROR_CODES.stalled,
    { sourceId: context.sourceId, script: context.script, hook },
    "returned a Promise that can never settle (it awaits no fetch() and no other work)",
  );
}

/** QuickJS itself failed (a WebAssembly trap, a broken handle): not the script's doing. */
export function sandboxFailure(
  context: FailureContext,
  hook: HookName | undefined,
  cause: unknown,
): HookError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new HookError(
    HOOK_ERROR_CODES.sandbox,
    { sourceId: context.sourceId, script: context.script, hook },
    `stopped: the QuickJS sandbox failed (${message}); it is rebuilt from the script on the next call`,
    { cause },
  );
}

function timeout(context: FailureContext, site: HookErrorSite): HookError {
  const secs = context.limits.timeoutMs / 1000;
  return new HookError(HOOK_ERROR_CODES.timeout, site, `timed out after ${secs} s (hooks.timeout_secs)`);
}

function memory(context: FailureContext, site: HookErrorSite): HookError {
  return new HookError(
    HOOK_ERROR_CODES.memory,
    site,
    `ran out of memory (hooks.memory_limit_mb: ${context.limits.memoryLimitMb})`,
  );
}

function thrown(context: FailureContext, failure: VmFailure): string {
  const message = context.redact(failure.message);
  return failure.name ? `${failure.name}: ${message}` : message;
}

function siteOf(context: FailureContext, hook: HookName | undefined, failure: VmFailure): HookErrorSite {
  return {
    sourceId: context.sourceId,
    script: context.script,
    hook,
    location: context.locations.fromStack(failure.stack),
  };
}
