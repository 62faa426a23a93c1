import { redactValues } from "../http/redact.ts";
import type { Logger } from "../log.ts";
import { HOOK_ERROR_CODES, HookError } from "./errors.ts";
import { eventTexts } from "./event-spans.ts";
import {
  awaitTimeout,
  callFailure,
  type FailureContext,
  loadFailure,
  sandboxFailure,
  stalled,
} from "./failures.ts";
import { type HookFetchOptions, HostRequests } from "./host-requests.ts";
import { locationMapper } from "./location.ts";
import { MIN_MEMORY_LIMIT_MB, newQuickJS, type QuickJSInstance } from "./quickjs.ts";
import { HOOK_NAMES, type HookLimits, type HookName, type HookScript } from "./types.ts";
import { HookVm, type VmHost, type VmStep } from "./vm.ts";

/** The log lines a sandbox writes: console output (`hook_console`), refused fetches, rebuilds. */
export type HookLog = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** How a source's sandbox runs. */
export interface HookSandboxOptions {
  readonly sourceId: string;
  readonly limits: HookLimits;
  readonly log: HookLog;
  /** Present only with `global.hooks.allow_network: true`: then, and only then, fetch() exists. */
  readonly fetch?: HookFetchOptions;
  /** Values masked in console output and error messages: at least the values of `ctx.env`. */
  readonly secrets?: () => readonly string[];
}

/** A body handed to the VM as text and parsed there (one copy of a page instead of three). */
export interface BodyArgument {
  /** Index of the argument object that receives `body`. */
  readonly at: number;
  readonly text: string;
  /** `text`'s UTF-8 when the caller has it (a valid UTF-8 body): copied into the VM as it is. */
  readonly bytes?: Uint8Array | undefined;
}

/** One source's compiled hook script, evaluated once, its hooks called many times. */
export interface HookSandbox {
  /** The hooks the script defines; an undefined hook falls back to the declarative behaviour. */
  readonly hooks: ReadonlySet<HookName>;
  /** Calls a hook with JSON arguments and returns its JSON result (undefined for `undefined`). */
  call(hook: HookName, args: readonly unknown[], body?: BodyArgument): Promise<unknown>;
  /**
   * Calls parseResponse as {@link call} does, and also returns each returned item's `event` as
   * the JSON text `JSON.stringify` gives for it (undefined where the item has none), taken from
   * the result's own encoding so the host need not encode the events again.
   */
  callEvents(
    args: readonly unknown[],
    body?: BodyArgument,
  ): Promise<{ readonly value: unknown; readonly texts: readonly (string | undefined)[] }>;
  /** The sandbox's WebAssembly memory in bytes (0 before it starts or after close): for metrics. */
  memoryBytes(): number;
  /** Frees the QuickJS instance; later calls fail with HELR_HOOK_CLOSED. */
  close(): Promise<void>;
}

const CONSOLE_MAX = 8 * 1024;
const CONSOLE_LEVELS: Readonly<Record<string, "debug" | "info" | "warn" | "error">> = {
  log: "info",
  info: "info",
  warn: "warn",
  error: "error",
  debug: "debug",
};

/**
 * Creates a source's sandbox and evaluates its script, so a script that does not load fails
 * here (HELR_HOOK_LOAD), when the source starts, rather than on its first poll.
 *
 * A call that times out or runs out of memory leaves the script's globals in an unknown state,
 * so the sandbox is then rebuilt from the compiled script before the next call (and says so in
 * the log); a QuickJS failure (a WebAssembly trap) discards the whole instance.
 */
export async function createHookSandbox(
  script: HookScript,
  options: HookSandboxOptions,
): Promise<HookSandbox> {
  const sandbox = new Sandbox(script, options);
  await sandbox.ready();
  return sandbox;
}

class Sandbox implements HookSandbox {
  readonly #script: HookScript;
  readonly #options: HookSandboxOptions;
  readonly #failures: FailureContext;
  readonly #limitBytes: number;
  #instance: QuickJSInstance | undefined;
  #vm: HookVm | undefined;
  #requests: HostRequests | undefined;
  #hook: HookName | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  hooks: ReadonlySet<HookName> = new Set();

  constructor(script: HookScript, options: HookSandboxOptions) {
    this.#script = script;
    this.#options = options;
    this.#limitBytes = Math.max(options.limits.memoryLimitMb, MIN_MEMORY_LIMIT_MB) * 1024 * 1024;
    this.#failures = {
      sourceId: options.sourceId,
      script: script.name,
      limits: options.limits,
      locations: locationMapper(script.sourceMap),
      redact: (text) => redactValues(text, options.secrets?.() ?? []),
    };
  }

  async ready(): Promise<void> {
    await this.#serial(() => this.#ensure(undefined));
  }

  call(hook: HookName, args: readonly unknown[], body?: BodyArgument): Promise<unknown> {
    return this.#serial(async () => {
      const vm = await this.#ensure(hook);
      return this.#run(vm, hook, JSON.stringify(args), body, (json) => JSON.parse(json));
    });
  }

  callEvents(args: readonly unknown[], body?: BodyArgument) {
    const hook = "parseResponse";
    return this.#serial(async () => {
      const vm = await this.#ensure(hook);
      const decode = (json: string) => ({ value: JSON.parse(json) as unknown, texts: eventTexts(json) });
      const result = await this.#run(vm, hook, JSON.stringify(args), body, decode);
      return result ?? { value: undefined, texts: [] };
    });
  }

  memoryBytes(): number {
    return this.#instance?.memoryBytes() ?? 0;
  }

  async close(): Promise<void> {
    await this.#serial(async () => {
      this.#closed = true;
      this.#discard(false);
      this.#instance = undefined;
    });
  }

  /** Calls run one at a time: a sandbox has one QuickJS context and one deadline. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #ensure(hook: HookName | undefined): Promise<HookVm> {
    if (this.#closed) {
      const site = { sourceId: this.#options.sourceId, script: this.#script.name, hook };
      throw new HookError(HOOK_ERROR_CODES.closed, site, "was called after the sandbox was closed");
    }
    if (this.#vm) return this.#vm;
    try {
      this.#instance ??= await newQuickJS(this.#limitBytes);
      const vm = new HookVm(this.#instance, this.#limitBytes, this.#host());
      this.#vm = vm;
      const deadline = performance.now() + this.#options.limits.timeoutMs;
      vm.deadline(deadline, performance.now.bind(performance));
      const failure = vm.load(this.#script);
      vm.deadline(undefined, performance.now.bind(performance));
      if (failure) throw loadFailure(this.#failures, failure);
      this.hooks = this.#checkKinds(vm);
      return vm;
    } catch (error) {
      this.#discard(!(error instanceof HookError));
      if (error instanceof HookError) throw error;
      throw sandboxFailure(this.#failures, hook, error);
    }
  }

  #checkKinds(vm: HookVm): ReadonlySet<HookName> {
    const defined = new Set<HookName>();
    for (const name of HOOK_NAMES) {
      const kind = vm.kinds[name];
      if (kind === "function") defined.add(name);
      else if (kind !== undefined && kind !== "undefined") {
        const site = { sourceId: this.#options.sourceId, script: this.#script.name, hook: name };
        throw new HookError(HOOK_ERROR_CODES.load, site, `is defined but is a ${kind}, not a function`);
      }
    }
    if (defined.size === 0) {
      const site = { sourceId: this.#options.sourceId, script: this.#script.name };
      throw new HookError(HOOK_ERROR_CODES.load, site, `defines none of the hooks ${HOOK_NAMES.join(", ")}`);
    }
    return defined;
  }

  async #run<T>(
    vm: HookVm,
    hook: HookName,
    argsJson: string,
    body: BodyArgument | undefined,
    decode: (json: string) => T,
  ): Promise<T | undefined> {
    const now = performance.now.bind(performance);
    const deadline = now() + this.#options.limits.timeoutMs;
    const fetch = this.#options.fetch;
    const requests = fetch ? new HostRequests(fetch, this.#requestEvents(hook)) : undefined;
    this.#requests = requests;
    this.#hook = hook;
    let rebuild = false;
    try {
      vm.deadline(deadline, now);
      let step: VmStep = vm.begin(hook, argsJson, body?.at, body?.text, body?.bytes);
      while (step.kind === "pending") {
        if (!requests?.busy) throw stalled(this.#failures, hook);
        if (!(await arrivesBefore(requests, deadline - now()))) {
          rebuild = true;
          throw awaitTimeout(this.#failures, hook);
        }
        step = this.#deliver(vm, requests);
      }
      if (step.kind === "failed") {
        rebuild = step.failure.kind === "interrupted" || step.failure.kind === "memory";
        throw callFailure(this.#failures, hook, step.failure);
      }
      return step.json === undefined ? undefined : decode(step.json);
    } catch (error) {
      if (error instanceof HookError) throw error;
      this.#discard(true);
      throw sandboxFailure(this.#failures, hook, error);
    } finally {
      requests?.abortAll();
      this.#requests = undefined;
      this.#hook = undefined;
      if (this.#vm === vm) this.#finish(vm, hook, rebuild);
    }
  }

  /** Hands finished fetches back to the script, then runs what they unblocked. */
  #deliver(vm: HookVm, requests: HostRequests): VmStep {
    for (const done of requests.take()) {
      const failure = vm.settle(done.id, done.ok, done.payload);
      if (failure) return { kind: "failed", failure };
    }
    return vm.step();
  }

  #finish(vm: HookVm, hook: HookName, rebuild: boolean): void {
    try {
      vm.end();
      vm.deadline(undefined, performance.now.bind(performance));
    } catch {
      rebuild = true;
    }
    if (!rebuild) return;
    this.#discard(false);
    this.#options.log.warn(
      { sourceId: this.#options.sourceId, hook, script: this.#script.name },
      "hook sandbox rebuilt from the compiled script: the call was stopped and its state discarded",
    );
  }

  /** Drops the VM (and, after a QuickJS failure or a failed dispose, the whole instance). */
  #discard(dropInstance: boolean): void {
    const vm = this.#vm;
    this.#vm = undefined;
    try {
      vm?.dispose();
    } catch {
      dropInstance = true;
    }
    if (dropInstance) this.#instance = undefined;
  }

  #host(): VmHost {
    const console = (level: string, text: string): void => {
      const clipped = text.length > CONSOLE_MAX ? `${text.slice(0, CONSOLE_MAX)}… (truncated)` : text;
      const fields = {
        sourceId: this.#options.sourceId,
        ...(this.#hook ? { hook: this.#hook } : {}),
        hook_console: this.#failures.redact(clipped),
      };
      this.#options.log[CONSOLE_LEVELS[level] ?? "info"](fields, "hook console");
    };
    if (!this.#options.fetch) return { console };
    return {
      console,
      fetch: (request) => this.#requests?.start(request) ?? "fetch: only available while a hook runs",
    };
  }

  #requestEvents(hook: HookName) {
    const sourceId = this.#options.sourceId;
    const log = this.#options.log;
    return {
      refused: (reason: string, host: string | undefined) =>
        log.warn({ sourceId, hook, ...(host ? { host } : {}) }, `hook fetch refused: ${reason}`),
      sent: (method: string, host: string, status: number | undefined) =>
        log.debug({ sourceId, hook, method, host, ...(status ? { status } : {}) }, "hook fetch"),
      redact: this.#failures.redact,
    };
  }
}

/** Waits for a fetch() result; false when the deadline comes first. */
async function arrivesBefore(requests: HostRequests, remainingMs: number): Promise<boolean> {
  if (remainingMs <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), remainingMs);
  });
  try {
    return await Promise.race([requests.wait().then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}
