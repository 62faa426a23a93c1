import { isAscii } from "node:buffer";
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten-core";
import { PRELUDE_FILE, SCRIPT_FILE } from "./location.ts";
import { hookTable, PRELUDE } from "./prelude.ts";
import type { QuickJSInstance } from "./quickjs.ts";
import { HOOK_NAMES, type HookName, type HookScript } from "./types.ts";

/**
 * QuickJS's own stack limit. Each interpreted frame also uses the host's (V8's) native stack, and
 * a limit much above this overflows Node's stack instead of throwing inside the script.
 */
export const MAX_STACK_BYTES = 256 * 1024;

/** The only ways out of the sandbox. */
export interface VmHost {
  console(level: string, text: string): void;
  /** Present only with `allow_network`: starts a request, returns its id or why it was refused. */
  readonly fetch?: (requestJson: string) => number | string;
}

/** Why a step of the VM failed. */
export interface VmFailure {
  /** `interrupted`: past the deadline; `memory`: out of memory; `encode`: the result is not JSON. */
  readonly kind: "throw" | "interrupted" | "memory" | "encode";
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** Where a call stands after a step. */
export type VmStep =
  | { readonly kind: "done"; readonly json: string | undefined }
  | { readonly kind: "pending" }
  | { readonly kind: "failed"; readonly failure: VmFailure };

/** A value too large to copy into (or out of) the sandbox's memory. */
const TOO_BIG: VmFailure = {
  kind: "memory",
  name: "InternalError",
  message: "out of memory: the value does not fit in hooks.memory_limit_mb",
};

/** The deadline stopped the script. */
const INTERRUPTED: VmFailure = { kind: "interrupted", name: "InternalError", message: "interrupted" };

/** What the script defines, after evaluation: each hook's `typeof` (functions are the hooks). */
export type HookKinds = Readonly<Partial<Record<HookName, string>>>;

/**
 * One QuickJS runtime and context with the prelude and the script evaluated in it. Its methods
 * are synchronous steps of one hook call; the asynchronous driving (awaiting fetches, the
 * deadline across awaits) is the caller's. Host-level exceptions (a WebAssembly trap) propagate:
 * the caller then discards the whole instance.
 */
export class HookVm {
  readonly #quickjs: QuickJSInstance;
  readonly #runtime: QuickJSRuntime;
  readonly #context: QuickJSContext;
  #api: QuickJSHandle | undefined;
  #call: QuickJSHandle | undefined;
  /**
   * Set once the deadline stopped the script. What the script sees afterwards varies (a rejected
   * Promise, a TypeError from an async function torn down mid-way), so the flag, not the error,
   * says the call timed out.
   */
  #interrupted = false;
  /** The prelude's functions, looked up once. */
  readonly #methods = new Map<string, QuickJSHandle>();
  /** Whether fetch() exists, so there can be requests to forget when a call ends. */
  readonly #fetches: boolean;
  kinds: HookKinds = {};

  constructor(quickjs: QuickJSInstance, limitBytes: number, host: VmHost) {
    this.#quickjs = quickjs;
    this.#runtime = quickjs.module.newRuntime();
    this.#runtime.setMemoryLimit(limitBytes);
    this.#runtime.setMaxStackSize(MAX_STACK_BYTES);
    this.#context = this.#runtime.newContext();
    this.#fetches = host.fetch !== undefined;
    this.#api = this.#installPrelude(host);
  }

  /** Stops any script code running past `at` (ms, on `now`'s clock); undefined removes the deadline. */
  deadline(at: number | undefined, now: () => number): void {
    this.#interrupted = false;
    if (at === undefined) this.#runtime.removeInterruptHandler();
    else {
      this.#runtime.setInterruptHandler(() => {
        if (now() > at) this.#interrupted = true;
        return this.#interrupted;
      });
    }
  }

  /** Evaluates the script and looks its hooks up; a failure means the script did not load. */
  load(script: HookScript): VmFailure | undefined {
    // The name goes into the lookup code below: only an identifier is acceptable.
    if (script.exportsGlobal !== undefined && !/^[A-Za-z_$][\w$]*$/.test(script.exportsGlobal)) {
      return { kind: "throw", name: "Error", message: `invalid exports global ${script.exportsGlobal}` };
    }
    this.#quickjs.resetRefusals();
    const evaluated = this.#context.evalCode(script.code, SCRIPT_FILE, { type: "global" });
    if (evaluated.error) return this.#failure(evaluated.error);
    evaluated.value.dispose();
    const table = this.#context.evalCode(hookTable(HOOK_NAMES, script.exportsGlobal), PRELUDE_FILE);
    if (table.error) return this.#failure(table.error);
    const kinds = this.#method("bind", table.value);
    table.value.dispose();
    if (kinds.error) return this.#failure(kinds.error);
    this.kinds = JSON.parse(this.#context.getString(kinds.value)) as HookKinds;
    kinds.value.dispose();
    return undefined;
  }

  /**
   * Calls a hook with JSON arguments; the argument at `bodyAt` gets `body` parsed from `bodyText`
   * (`bodyBytes`, when given, is that text's UTF-8, copied as it is).
   */
  begin(hook: HookName, argsJson: string, bodyAt = -1, bodyText = "", bodyBytes?: Uint8Array): VmStep {
    this.end();
    this.#quickjs.resetRefusals();
    const ctx = this.#context;
    const args = this.#strings([hook, argsJson, bodyText], bodyBytes);
    if (args === undefined) return { kind: "failed", failure: TOO_BIG };
    args.splice(2, 0, ctx.newNumber(bodyAt));
    const result = this.#method("invoke", ...args);
    for (const arg of args) arg.dispose();
    if (result.error) return { kind: "failed", failure: this.#failure(result.error) };
    this.#call = result.value;
    return this.step();
  }

  /** Runs pending jobs (promise reactions), then reports whether the call's result is settled. */
  step(): VmStep {
    const call = this.#call;
    if (call === undefined) return { kind: "done", json: undefined };
    const jobs = this.#runtime.executePendingJobs();
    if (jobs.error) return { kind: "failed", failure: this.#failure(jobs.error) };
    jobs.dispose();
    // An interrupted job can leave the call's Promise pending for ever: the deadline decides.
    if (this.#interrupted) return { kind: "failed", failure: INTERRUPTED };
    const state = this.#context.getPromiseState(call);
    if (state.type === "pending") return { kind: "pending" };
    if (state.type === "rejected") return { kind: "failed", failure: this.#failure(state.error) };
    const value = state.value;
    const encoded = this.#method("encode", value);
    if (value !== call) value.dispose();
    if (encoded.error) {
      const failure = this.#failure(encoded.error);
      return { kind: "failed", failure: failure.kind === "throw" ? { ...failure, kind: "encode" } : failure };
    }
    const isText = this.#context.typeof(encoded.value) === "string";
    // Reading the string back allocates its UTF-8 copy inside the instance: probe for it first.
    const length = isText ? (this.#context.getLength(encoded.value) ?? 0) : 0;
    const json =
      isText && this.#quickjs.reserve(length + 1)
        ? this.#quickjs.readString(this.#context, encoded.value)
        : undefined;
    encoded.value.dispose();
    if (isText && json === undefined) return { kind: "failed", failure: TOO_BIG };
    return { kind: "done", json };
  }

  /** Hands a finished host request back to the script (its fetch Promise settles on the next step). */
  settle(id: number, ok: boolean, payload: string): VmFailure | undefined {
    const ctx = this.#context;
    const text = this.#strings([payload]);
    if (text === undefined) return TOO_BIG;
    const args = [ctx.newNumber(id), ok ? ctx.true : ctx.false, ...text];
    const result = this.#method("settle", ...args);
    for (const arg of args) arg.dispose();
    if (result.error) return this.#failure(result.error);
    result.value.dispose();
    return undefined;
  }

  /** Ends the current call: its result is released and fetches still in flight are forgotten. */
  end(): void {
    this.#call?.dispose();
    this.#call = undefined;
    if (this.#fetches && this.#api?.alive) this.#method("abandon").dispose();
  }

  dispose(): void {
    this.#call?.dispose();
    this.#call = undefined;
    for (const fn of this.#methods.values()) fn.dispose();
    this.#methods.clear();
    this.#api?.dispose();
    this.#api = undefined;
    this.#context.dispose();
    this.#runtime.dispose();
  }

  #installPrelude(host: VmHost): QuickJSHandle {
    const ctx = this.#context;
    const prelude = ctx.evalCode(PRELUDE, PRELUDE_FILE, { type: "global" });
    if (prelude.error) {
      const failure = this.#failure(prelude.error);
      throw new Error(`hook sandbox prelude failed: ${failure.message}`);
    }
    const bridge = ctx.newObject();
    const log = ctx.newFunction("console", (level, text) => {
      host.console(ctx.getString(level), ctx.getString(text));
    });
    ctx.setProp(bridge, "console", log);
    log.dispose();
    const fetch = host.fetch;
    if (fetch) {
      const send = ctx.newFunction("fetch", (request) => {
        const id = fetch(ctx.getString(request));
        return typeof id === "number" ? ctx.newNumber(id) : ctx.newString(id);
      });
      ctx.setProp(bridge, "fetch", send);
      send.dispose();
    }
    const api = ctx.callFunction(prelude.value, ctx.undefined, bridge);
    prelude.value.dispose();
    bridge.dispose();
    if (api.error) {
      const failure = this.#failure(api.error);
      throw new Error(`hook sandbox prelude failed: ${failure.message}`);
    }
    return api.value;
  }

  /**
   * Copies strings into the VM, each only after probing that it fits; undefined when one does not.
   * `lastBytes`, when given, is the last text's UTF-8.
   */
  #strings(texts: readonly string[], lastBytes?: Uint8Array): QuickJSHandle[] | undefined {
    const handles: QuickJSHandle[] = [];
    const fail = (): undefined => {
      for (const handle of handles) handle.dispose();
      return undefined;
    };
    for (const [index, text] of texts.entries()) {
      const bytes = index === texts.length - 1 ? lastBytes : undefined;
      // QuickJS keeps a string in one byte per character unless one needs two; scanning for that
      // only pays off for large strings (and ASCII bytes, the usual body, need no scan).
      const wide =
        text.length < 65_536 || (!(bytes !== undefined && isAscii(bytes)) && /[\u0100-\uffff]/.test(text));
      const utf8 = bytes?.byteLength ?? Buffer.byteLength(text);
      if (!this.#quickjs.reserve(utf8 + 1, (wide ? 2 : 1) * text.length + 64)) return fail();
      const handle = this.#quickjs.newString(this.#context, text, bytes);
      if (handle === undefined) return fail();
      handles.push(handle);
    }
    return handles;
  }

  #method(name: string, ...args: QuickJSHandle[]) {
    const api = this.#api;
    if (api === undefined) throw new Error("hook sandbox used after dispose");
    let fn = this.#methods.get(name);
    if (fn === undefined) {
      fn = this.#context.getProp(api, name);
      this.#methods.set(name, fn);
    }
    return this.#context.callFunction(fn, api, ...args);
  }

  /** Reads and releases an error handle, classifying it. */
  #failure(handle: QuickJSHandle): VmFailure {
    const dumped: unknown = this.#context.dump(handle);
    handle.dispose();
    const error = (typeof dumped === "object" && dumped !== null ? dumped : {}) as Record<string, unknown>;
    const name = typeof error.name === "string" ? error.name : "";
    const message = typeof error.message === "string" ? error.message : describe(dumped);
    const stack = typeof error.stack === "string" ? error.stack : undefined;
    const internal = name === "InternalError";
    const kind =
      (internal && message === "out of memory") || this.#quickjs.refusals() > 0
        ? "memory"
        : this.#interrupted || (internal && message === "interrupted")
          ? "interrupted"
          : "throw";
    return { kind, name, message, ...(stack !== undefined ? { stack } : {}) };
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
