/**
 * Helpers for running the Rust Helr's documented hook examples (fixtures/helr-docs/) unchanged:
 * reading a fixture and proving its example part is the copied text, compiling it the way helrc
 * does, a runner with the config the docs give it, an in-process HTTP client for fetch(), and one
 * poll the way runtime/engine/hook-stages.ts drives the hooks.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import pino from "pino";
import { expect } from "vitest";
import { compileHookScript } from "../../../compiler/hooks/compile.ts";
import type { HookContextInput } from "../../../runtime/hooks/contract.ts";
import { createHookRunner, type HookEventRecord, type HookRunner } from "../../../runtime/hooks/runner.ts";
import type { HookEvent, StateChanges } from "../../../runtime/hooks/shape.ts";
import type { HookScript } from "../../../runtime/hooks/types.ts";
import type { HttpRequest, HttpResponse, HttpSend } from "../../../runtime/http/client.ts";
import type { JsonValue } from "../../../runtime/spec.ts";

const DIR = new URL("./fixtures/helr-docs/", import.meta.url);
const MARKER = "// ---- the example, unchanged ----\n";

/** A fixture: the whole file (header included) and the example below its marker line. */
export interface DocExample {
  readonly name: string;
  readonly text: string;
  readonly example: string;
  /** The sha256 the header records for the example as copied from the Rust Helr. */
  readonly recordedSha256: string;
}

/** Reads fixtures/helr-docs/`name`. */
export function docExample(name: string): DocExample {
  const text = readFileSync(new URL(name, DIR), "utf8");
  const at = text.indexOf(MARKER);
  const recorded = /^\/\/ sha256 of the example: ([0-9a-f]{64})$/m.exec(text.slice(0, at));
  if (at < 0 || !recorded?.[1]) throw new Error(`${name}: no header marker or recorded sha256`);
  return { name, text, example: text.slice(at + MARKER.length), recordedSha256: recorded[1] };
}

/** SHA-256 (hex) of `text`. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Compiles a fixture as `helrc check`/`build` would for a source with `hooks.script` and no
 * `hooks.env` (so ctx.env holds the names the script reads literally), and asserts it raises no
 * diagnostic at all, warnings included.
 */
export async function compiledExample(name: string, allowNetwork: boolean): Promise<HookScript> {
  const { text } = docExample(name);
  const { script, problems } = await compileHookScript({ name, text, language: "js", allowNetwork });
  expect(problems).toEqual([]);
  if (!script) throw new Error(`${name}: not compiled`);
  return script;
}

/** The config a docs example runs under: the source's URL, `allow_network`, `hooks.allow_hosts`. */
export interface ExampleConfig {
  readonly url: string;
  /** `global.hooks.allow_network: true`: fetch() goes to this client. */
  readonly fetch?: HttpSend;
  readonly allowHosts?: readonly string[];
  /** The process environment; only the script's literal reads reach ctx.env. */
  readonly env?: Record<string, string>;
}

/** A runner over the compiled fixture, as the engine starts one for a source with that config. */
export async function exampleRunner(name: string, config: ExampleConfig): Promise<HookRunner> {
  const script = await compiledExample(name, config.fetch !== undefined);
  return runnerOf(script, config);
}

/** A runner over an already compiled script (several fixtures joined into one). */
export function runnerOf(script: HookScript, config: ExampleConfig): Promise<HookRunner> {
  return createHookRunner(script, {
    sourceId: "docs-source",
    limits: { timeoutMs: 5000, memoryLimitMb: 64 },
    log: pino({ level: "silent" }),
    env: config.env ?? {},
    // hook-stages.ts: the host of the source's URL plus hooks.allow_hosts.
    allowedHosts: [new URL(config.url).hostname, ...(config.allowHosts ?? [])],
    ...(config.fetch ? { fetch: { send: config.fetch } } : {}),
  });
}

/** A canned HTTP answer: status, JSON (or text) body, headers (a list for a repeated one). */
export interface Canned {
  readonly status?: number;
  readonly body: JsonValue | string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

/** A response as the source's client hands it to parseResponse / getNextPage. */
export function response(canned: Canned, url = "https://api.example.com/"): HttpResponse {
  const headers = new Map<string, readonly string[]>();
  for (const [name, value] of Object.entries(canned.headers ?? {})) {
    headers.set(name.toLowerCase(), typeof value === "string" ? [value] : value);
  }
  const text = typeof canned.body === "string" ? canned.body : JSON.stringify(canned.body);
  if (typeof canned.body !== "string") headers.set("content-type", ["application/json"]);
  return { status: canned.status ?? 200, headers, body: Buffer.from(text), url };
}

/** An in-process HTTP client for fetch(): answers by `reply`, keeps what was sent. */
export function fakeClient(reply: (request: HttpRequest) => Canned): {
  send: HttpSend;
  sent: HttpRequest[];
} {
  const sent: HttpRequest[] = [];
  const send: HttpSend = async (request) => {
    const { signal: _signal, ...kept } = request;
    sent.push(kept);
    return response(reply(request), request.url);
  };
  return { send, sent };
}

/** ctx for one call: the source "docs-source", a request id, the state, env and source headers. */
export function ctxInput(
  state: Record<string, string>,
  extra: Partial<HookContextInput> = {},
): HookContextInput {
  return { sourceId: "docs-source", requestId: "helr-1765100000000-1", state, env: {}, ...extra };
}

/** What one poll sent and got: the request bodies in order, the events, commitState's changes. */
export interface PollResult {
  readonly bodies: readonly JsonValue[];
  readonly headers: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly events: readonly HookEvent[];
  readonly changes: StateChanges | undefined;
}

/**
 * One poll as runtime/engine/hook-stages.ts runs the hooks: getAuth once; per page buildRequest,
 * the API's answer to the request, parseResponse, getNextPage (whose body wins over
 * buildRequest's after the first page); then commitState with the events written.
 */
export async function poll(
  runner: HookRunner,
  input: () => HookContextInput,
  api: (body: JsonValue, headers: Record<string, string>) => Canned,
  url: string,
): Promise<PollResult> {
  const auth = await runner.getAuth(input());
  const bodies: JsonValue[] = [];
  const sentHeaders: Array<Record<string, string>> = [];
  const events: HookEvent[] = [];
  let next: JsonValue | undefined;
  for (let page = 1; page <= 10; page++) {
    const override = await runner.buildRequest(input());
    const body = next ?? override?.body ?? null;
    const headers = {
      ...input().headers,
      ...auth?.headers,
      ...(auth?.cookie !== undefined ? { Cookie: auth.cookie } : {}),
      ...override?.headers,
    };
    bodies.push(body);
    sentHeaders.push(headers);
    const received = response(api(body, headers), url);
    events.push(...((await runner.parseResponse(input(), received)) ?? []));
    const following = await runner.getNextPage(input(), { url, body }, received);
    if (!following) break;
    next = following.body;
  }
  const written: HookEventRecord[] = events.map((e) => ({
    ts: e.ts ?? "",
    source: e.source ?? "docs-source",
    event: e.event,
    ...(e.meta ? { meta: e.meta as Record<string, JsonValue> } : {}),
  }));
  return { bodies, headers: sentHeaders, events, changes: await runner.commitState(input(), written) };
}

/** The `global.hooks` a docs example runs under in the poll loop (`allow_network` as given). */
export function hookSettings(allowNetwork: boolean) {
  return { enabled: true, timeoutMs: 5000, memoryLimitMb: 64, allowNetwork, authCacheTtlSecs: 0 };
}
