import type { Env } from "../config/env.ts";
import type { JsonValue } from "../spec.ts";
import {
  type HookContextInput,
  type HookRequest,
  type HookResponseInput,
  hookContext,
  hookEnv,
  hookResponse,
} from "./contract.ts";
import { HOOK_ERROR_CODES, HookError } from "./errors.ts";
import { allowedHostSet, hostAllowed } from "./fetch-policy.ts";
import type { HookFetchOptions } from "./host-requests.ts";
import { type BodyArgument, createHookSandbox, type HookLog, type HookSandbox } from "./sandbox.ts";
import {
  type AuthResult,
  checkAuth,
  checkEvents,
  checkNextPage,
  checkRequest,
  checkStateChanges,
  type HookEvent,
  type NextPage,
  type RequestOverride,
  ShapeProblem,
  type StateChanges,
} from "./shape.ts";
import type { HookLimits, HookName, HookScript } from "./types.ts";

/** What the engine gives a source's hooks. */
export interface HookRunnerOptions {
  readonly sourceId: string;
  readonly limits: HookLimits;
  readonly log: HookLog;
  /** The process environment; only the script's allowed names ever reach `ctx.env`. */
  readonly env: Env;
  /**
   * The hosts this source may reach: those of its URLs (resolved) plus `hooks.allow_hosts`.
   * fetch() and the URLs buildRequest and getNextPage return are held to it.
   */
  readonly allowedHosts: readonly string[];
  /** With `allow_network: true` only: the source's HTTP client for fetch(). */
  readonly fetch?: Omit<HookFetchOptions, "allowedHosts">;
}

/** An event as commitState receives it: what was written for it (the Rust Helr's shape). */
export interface HookEventRecord {
  readonly ts: string;
  readonly source: string;
  readonly event: JsonValue;
  readonly meta?: Readonly<Record<string, JsonValue>>;
}

/**
 * A source's hooks, typed for the engine. Each method resolves to `undefined` when the script
 * does not define that hook (the engine then does the declarative thing), and otherwise to the
 * checked result. Every failure is a {@link HookError} naming the source, hook and script line.
 */
export interface HookRunner {
  readonly script: HookScript;
  readonly hooks: ReadonlySet<HookName>;
  /** null: no credentials from the hook (declarative `auth:` applies). */
  getAuth(input: HookContextInput): Promise<AuthResult | null | undefined>;
  /** null: send the default request. */
  buildRequest(input: HookContextInput): Promise<RequestOverride | null | undefined>;
  /** undefined also when the hook returned null: the page goes to the declarative parser. */
  parseResponse(
    input: HookContextInput,
    response: HookResponseInput,
  ): Promise<readonly HookEvent[] | undefined>;
  /** null: no further page in this poll. */
  getNextPage(
    input: HookContextInput,
    request: HookRequest,
    response: HookResponseInput,
  ): Promise<NextPage | null | undefined>;
  commitState(input: HookContextInput, events: readonly HookEventRecord[]): Promise<StateChanges | undefined>;
  close(): Promise<void>;
}

const EVENT_TEXTS = new WeakMap<HookEvent, string>();

/**
 * The JSON text of a parseResponse event's `event` — what `JSON.stringify(event.event ?? null)`
 * gives — when the sandbox's encoding of the result provided it; undefined otherwise.
 */
export function hookEventText(event: HookEvent): string | undefined {
  return EVENT_TEXTS.get(event);
}

/** Creates the sandbox for a source (evaluating its script) and wraps it in the typed contract. */
export async function createHookRunner(script: HookScript, options: HookRunnerOptions): Promise<HookRunner> {
  const allowedHosts = allowedHostSet(options.allowedHosts);
  const sandbox = await createHookSandbox(script, {
    sourceId: options.sourceId,
    limits: options.limits,
    log: options.log,
    ...(options.fetch ? { fetch: { ...options.fetch, allowedHosts } } : {}),
    secrets: () => Object.values(hookEnv(script.env, options.env)),
  });
  options.log.info(
    { sourceId: options.sourceId, script: script.name, sha256: script.sha256, hooks: [...sandbox.hooks] },
    "hook script loaded",
  );
  return new Runner(script, sandbox, options.sourceId, allowedHosts);
}

class Runner implements HookRunner {
  constructor(
    readonly script: HookScript,
    readonly sandbox: HookSandbox,
    readonly sourceId: string,
    readonly allowedHosts: readonly string[],
  ) {}

  get hooks(): ReadonlySet<HookName> {
    return this.sandbox.hooks;
  }

  getAuth(input: HookContextInput) {
    return this.#run("getAuth", [this.#ctx(input)], undefined, checkAuth);
  }

  async buildRequest(input: HookContextInput) {
    const result = await this.#run("buildRequest", [this.#ctx(input)], undefined, checkRequest);
    this.#checkHost("buildRequest", result?.url);
    return result;
  }

  parseResponse(input: HookContextInput, response: HookResponseInput) {
    const { head, bodyText, bodyBytes } = hookResponse(response);
    const body = { at: 1, text: bodyText, bytes: bodyBytes };
    return this.#parse([this.#ctx(input), head], body);
  }

  async #parse(args: readonly unknown[], body: BodyArgument): Promise<readonly HookEvent[] | undefined> {
    if (!this.sandbox.hooks.has("parseResponse")) return undefined;
    const { value, texts } = await this.sandbox.callEvents(args, body);
    const events = this.#check("parseResponse", value, checkEvents);
    events?.forEach((event, index) => {
      const text = texts[index];
      if (text !== undefined) EVENT_TEXTS.set(event, text);
    });
    return events;
  }

  async getNextPage(input: HookContextInput, request: HookRequest, response: HookResponseInput) {
    const { head, bodyText, bodyBytes } = hookResponse(response);
    const args = [this.#ctx(input), request, head];
    const body = { at: 2, text: bodyText, bytes: bodyBytes };
    const result = await this.#run("getNextPage", args, body, checkNextPage);
    this.#checkHost("getNextPage", result?.url);
    return result;
  }

  commitState(input: HookContextInput, events: readonly HookEventRecord[]) {
    return this.#run("commitState", [this.#ctx(input), events], undefined, checkStateChanges);
  }

  close(): Promise<void> {
    return this.sandbox.close();
  }

  #ctx(input: HookContextInput) {
    return hookContext(input, this.script.env);
  }

  async #run<T>(
    hook: HookName,
    args: readonly unknown[],
    body: BodyArgument | undefined,
    check: (value: unknown) => T,
  ): Promise<T | undefined> {
    if (!this.sandbox.hooks.has(hook)) return undefined;
    return this.#check(hook, await this.sandbox.call(hook, args, body), check);
  }

  #check<T>(hook: HookName, value: unknown, check: (value: unknown) => T): T {
    try {
      return check(value);
    } catch (error) {
      if (!(error instanceof ShapeProblem)) throw error;
      throw new HookError(HOOK_ERROR_CODES.shape, this.#site(hook), `returned ${error.message}`);
    }
  }

  /** A hook may not point the source's requests (and its credentials) at another host. */
  #checkHost(hook: HookName, url: string | undefined): void {
    if (url === undefined) return;
    const host = new URL(url).hostname;
    if (hostAllowed(host, this.allowedHosts)) return;
    throw new HookError(
      HOOK_ERROR_CODES.host,
      this.#site(hook),
      `returned a url on ${host}, which is not allowed for this source ` +
        `(allowed: ${this.allowedHosts.join(", ") || "none"}; hooks.allow_hosts widens it)`,
    );
  }

  #site(hook: HookName) {
    return { sourceId: this.sourceId, script: this.script.name, hook };
  }
}
