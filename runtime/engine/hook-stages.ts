/**
 * A source's hook script as stages of a pass (docs/hooks.md, "How a poll uses the hooks"): each
 * hook the script defines replaces one stage of {@link PassStages}; the others stay declarative.
 *
 *   getAuth → begin (once per poll, reused for `auth_cache_ttl_secs`)
 *   buildRequest (and getAuth's additions) → prepare
 *   parseResponse → extract          (null/undefined: the declarative parser reads the page)
 *   getNextPage → paginate           (its url/body win over buildRequest's on later pages)
 *   commitState → finish             (with the events written, after dedupe)
 *
 * The script is evaluated once per source and process; a failing call fails the poll (nothing of
 * the failing page is committed) and the next poll calls the hooks again.
 */
import type { BoundSource } from "../app.ts";
import { rememberSecret } from "../config/secret-registry.ts";
import type { ExtractedEvent } from "../extract/events.ts";
import type { HookContextInput } from "../hooks/contract.ts";
import { MIN_MEMORY_LIMIT_MB } from "../hooks/quickjs.ts";
import { type HookEventRecord, type HookRunner, hookEventText } from "../hooks/runner.ts";
import type { AuthResult, HookEvent, NextPage } from "../hooks/shape.ts";
import { type PageRequest, withBodyFields, withQuery } from "../paginate/types.ts";
import type { JsonValue } from "../spec.ts";
import { cachedAuth } from "./hook-auth-cache.ts";
import { PageLines } from "./page-lines.ts";
import type { Pass } from "./pass.ts";
import type { ResolvedRequest } from "./resolve.ts";
import type { SourceContext } from "./source-context.ts";

export { forgetHookAuth } from "./hook-auth-cache.ts";

import type { PassStages } from "./stages.ts";
import type { PollDeps } from "./types.ts";

const runners = new WeakMap<BoundSource, Promise<HookRunner>>();
let requestCounter = 0;

/** The pass's stages: `declarative`, with each stage the source's script has a hook for replaced. */
export async function hookStages(
  source: BoundSource,
  context: SourceContext,
  resolved: ResolvedRequest,
  pass: Pass,
  deps: PollDeps,
  declarative: PassStages,
): Promise<PassStages> {
  if (source.hooks === undefined) return declarative;
  const runner = await runnerFor(source, resolved, deps);
  const defined = runner.hooks;
  const { spec } = source;
  const ctx = async (): Promise<HookContextInput> => ({
    sourceId: spec.id,
    requestId: `helr-${deps.now().getTime()}-${++requestCounter}`,
    state: await deps.store.read(spec.id),
    env: deps.env,
    defaultSince: resolved.from?.value,
    headers: resolved.headers,
  });
  let auth: AuthResult | null = null;
  /** Requests getNextPage chose, with what it returned; and each prepared request's unprepared one. */
  const chosen = new WeakMap<PageRequest, NextPage>();
  const unprepared = new WeakMap<PageRequest, PageRequest>();
  const written: HookEventRecord[] = [];
  const collects = defined.has("commitState");

  return {
    collects,
    begin: defined.has("getAuth")
      ? async () => {
          auth = await authFor(source, runner, ctx, deps);
        }
      : declarative.begin,

    prepare:
      defined.has("buildRequest") || defined.has("getAuth")
        ? async (request) => {
            const next = chosen.get(request);
            const override = defined.has("buildRequest") ? await runner.buildRequest(await ctx()) : null;
            let url = next?.url === undefined && override?.url !== undefined ? override.url : request.url;
            let body =
              next?.body === undefined && override?.body !== undefined ? override.body : request.body;
            url = withQuery(withQuery(url, auth?.query ?? {}), override?.query ?? {});
            if (spec.method === "post" && isObject(auth?.body))
              body = withBodyFields(body, auth.body as Record<string, JsonValue>);
            const headers: Record<string, string> = { ...auth?.headers };
            if (auth?.cookie !== undefined) headers.Cookie = auth.cookie;
            Object.assign(headers, override?.headers);
            const prepared: PageRequest = {
              url,
              ...(body !== undefined ? { body } : {}),
              ...(Object.keys(headers).length > 0 ? { headers } : {}),
            };
            unprepared.set(prepared, request);
            return prepared;
          }
        : declarative.prepare,

    extract: defined.has("parseResponse")
      ? async (received, request) => {
          const events = await runner.parseResponse(await ctx(), received.response);
          if (events === undefined) return declarative.extract(received, request);
          const extraction = { events: events.map((event) => extracted(event, deps.now)) };
          // A declarative paginator after a hook-parsed page may still read the body (cursor,
          // has_more); one that reads only headers and the URL (link_header, offset…) does not.
          const readsBody = !defined.has("getNextPage") && source.paginator.readsBody;
          const document = readsBody ? parsedOrUndefined(received.response.body) : undefined;
          return {
            lines: new PageLines(context.page, extraction, received.response, { collect: collects }),
            document,
          };
        }
      : declarative.extract,

    paginate: defined.has("getNextPage")
      ? async (request, received, page) => {
          const { response } = received;
          if (page === undefined) return pass.next(request, response, page);
          const sent = { url: request.url, ...(request.body !== undefined ? { body: request.body } : {}) };
          const next = await runner.getNextPage(await ctx(), sent, response);
          if (next === null || next === undefined || (next.url === undefined && next.body === undefined))
            return pass.nextFromHook(response, { kind: "stop", reason: "end" });
          const base = unprepared.get(request) ?? request;
          const url = next.url ?? base.url;
          const body = next.body ?? base.body;
          const nextRequest: PageRequest = { url, ...(body !== undefined ? { body } : {}) };
          chosen.set(nextRequest, next);
          return pass.nextFromHook(response, { kind: "next", request: nextRequest, position: null });
        }
      : declarative.paginate,

    written: collects
      ? (lines) => {
          for (const line of lines.written ?? [])
            written.push({
              ts: line.ts,
              source: line.source,
              event: (line.event ?? null) as JsonValue,
              ...(line.id !== undefined ? { meta: { id: line.id } } : {}),
            });
        }
      : declarative.written,

    finish: collects
      ? async () => {
          const changes = await runner.commitState(await ctx(), written.splice(0));
          return { ...changes };
        }
      : declarative.finish,
  };
}

/**
 * Disposes the sandboxes of `sources` (at the end of a run): each QuickJS runtime's memory goes
 * back, and a script's pending timers or promises cannot run after the collector stopped.
 */
export async function closeHookRunners(sources: readonly BoundSource[]): Promise<void> {
  await Promise.all(
    sources.map(async (source) => {
      const started = runners.get(source);
      if (started === undefined) return;
      runners.delete(source);
      const runner = await started.catch(() => undefined);
      await runner?.close();
    }),
  );
}

/** The source's runner: its script evaluated once per process (again after a failed start). */
function runnerFor(source: BoundSource, resolved: ResolvedRequest, deps: PollDeps): Promise<HookRunner> {
  const existing = runners.get(source);
  if (existing !== undefined) return existing;
  const hooks = source.hooks;
  if (hooks === undefined) throw new Error("runnerFor: source without hooks (helrc bug)");
  const { settings } = hooks;
  const started = hooks.start({
    sourceId: source.spec.id,
    limits: {
      timeoutMs: settings.timeoutMs,
      memoryLimitMb: Math.max(MIN_MEMORY_LIMIT_MB, settings.memoryLimitMb),
    },
    log: deps.log,
    env: deps.env,
    allowedHosts: [new URL(resolved.url).hostname, ...hooks.allowHosts],
    ...(settings.allowNetwork ? { fetch: { send: deps.tokenHttp ?? deps.http } } : {}),
  });
  runners.set(source, started);
  started.catch(() => runners.delete(source));
  return started;
}

/** getAuth's result, reused for `auth_cache_ttl_secs` (a null result is never cached). */
async function authFor(
  source: BoundSource,
  runner: HookRunner,
  ctx: () => Promise<HookContextInput>,
  deps: PollDeps,
): Promise<AuthResult | null> {
  const ttlMs = (source.hooks?.settings.authCacheTtlSecs ?? 0) * 1000;
  const nowMs = deps.now().getTime();
  const cached = cachedAuth.get(source);
  if (cached !== undefined && ttlMs > 0 && nowMs - cached.atMs < ttlMs) return cached.auth;
  const auth = (await runner.getAuth(await ctx())) ?? null;
  if (auth === null) {
    cachedAuth.delete(source);
    return null;
  }
  // What getAuth hands over is a credential: never shown in a log, error or recording.
  for (const value of Object.values(auth.headers ?? {})) rememberSecret(value);
  for (const value of Object.values(auth.query ?? {})) rememberSecret(value);
  if (auth.cookie !== undefined) rememberSecret(auth.cookie);
  if (ttlMs > 0) cachedAuth.set(source, { auth, atMs: nowMs });
  return auth;
}

/** A parseResponse event as the page's lines see it. */
function extracted(event: HookEvent, now: () => Date): ExtractedEvent {
  const meta = event.meta;
  return {
    value: event.event,
    raw: hookEventText(event) ?? JSON.stringify(event.event ?? null),
    chosen: {
      ts: event.ts !== undefined && event.ts !== "" ? event.ts : now().toISOString(),
      ...(meta?.id !== undefined && meta.id !== "" ? { id: String(meta.id) } : {}),
      ...(event.source !== undefined ? { label: event.source } : {}),
    },
  };
}

function parsedOrUndefined(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
