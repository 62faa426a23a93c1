import type { BoundSource } from "../app.ts";
import type { AuthContext, OutgoingRequest } from "../auth/types.ts";
import { rememberSecret } from "../config/secret-registry.ts";
import type { HttpResponse } from "../http/client.ts";
import { HttpStatusError } from "../http/errors.ts";
import { redactUrl, redactValues } from "../http/redact.ts";
import { type PageRequest, withQuery } from "../paginate/types.ts";
import type { ResolvedRequest } from "./resolve.ts";
import type { SourceContext } from "./source-context.ts";
import type { PollDeps } from "./types.ts";

/**
 * Sends one page request: headers, `every_query_params`, credentials, then the source's
 * resilient sender. A 401 gives the authenticator one chance to refresh; any other non-2xx
 * becomes an {@link HttpStatusError} naming the source, method, URL (redacted) and status.
 */
export async function sendPage(
  source: BoundSource,
  context: SourceContext,
  resolved: ResolvedRequest,
  request: PageRequest,
  deps: PollDeps,
): Promise<HttpResponse> {
  const { spec } = source;
  const method = spec.method === "post" ? "POST" : "GET";
  const ctx = authContext(source, context, deps);
  let attempt = 0;
  for (;;) {
    const outgoing = buildRequest(method, request, resolved, deps.version);
    const secrets = source.auth ? await source.auth.authorize(outgoing, ctx) : [];
    for (const secret of secrets) rememberSecret(secret);
    const target = `${method} ${redactUrl(outgoing.url, secrets)}`;
    let response: HttpResponse;
    try {
      response = await context.send({
        method,
        url: outgoing.url,
        headers: outgoing.headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.waitSignal ? { waitSignal: deps.waitSignal } : {}),
        ...(spec.limits.maxResponseBytes !== undefined ? { maxBodyBytes: spec.limits.maxResponseBytes } : {}),
        secrets,
      });
    } catch (error) {
      const err = error as Error & { code?: string };
      // The resilient sender's errors already name the source, URL and what was tried.
      if (err.message.startsWith(`source "${spec.id}"`)) throw error;
      const wrapped = new Error(
        `source "${spec.id}": ${target} failed: ${redactValues(err.message, secrets)}`,
      );
      throw Object.assign(wrapped, { code: err.code ?? "HELR_HTTP_TRANSPORT" });
    }
    source.auth?.onResponse?.(response);
    if (response.status === 401 && attempt === 0 && source.auth?.onUnauthorized) {
      attempt++;
      if (await source.auth.onUnauthorized(response, ctx)) continue;
    }
    if (response.status >= 200 && response.status <= 299) return response;
    // Redact the whole body before shortening it: a secret cut in half would escape the match.
    const excerpt = redactValues(response.body.toString("utf8"), secrets)
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 400);
    throw new HttpStatusError(
      response.status,
      `source "${spec.id}": ${target} returned HTTP ${response.status}${excerpt ? `: ${excerpt}` : ""}`,
    );
  }
}

function buildRequest(
  method: "GET" | "POST",
  request: PageRequest,
  resolved: ResolvedRequest,
  version: string,
): OutgoingRequest {
  const headers: Record<string, string> = { "user-agent": `helr/${version}`, accept: "application/json" };
  if (request.body !== undefined) headers["content-type"] = "application/json";
  for (const [name, value] of Object.entries(resolved.headers)) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  return { method, url: withQuery(request.url, resolved.everyQueryParams), headers };
}

/** What authenticators get: the source's own sender (its TLS and timeouts) and its state. */
function authContext(source: BoundSource, context: SourceContext, deps: PollDeps): AuthContext {
  const id = source.spec.id;
  return {
    env: deps.env,
    sourceId: id,
    send: context.tokenSend,
    log: deps.log,
    timeoutMs: source.spec.resilience.timeouts.requestSecs * 1000,
    ...(deps.waitSignal ? { signal: deps.waitSignal } : {}),
    state: { read: () => deps.store.read(id), commit: (changes) => deps.store.commit(id, changes) },
  };
}
