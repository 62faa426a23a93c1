/**
 * The request side of the HTTP sink, apart from its queue: the headers of a POST (auth read from
 * env or file each time), what a response means (acknowledged, retry, permanent), and the
 * messages that name the receiver without its credentials.
 */
import { readSecret } from "../auth/secret.ts";
import { type Env, expand } from "../config/env.ts";
import type { HttpResponse } from "../http/client.ts";
import { HttpError } from "../http/errors.ts";
import { redactValues } from "../http/redact.ts";
import { parseRetryAfter, serverNowMs } from "../resilience/rate-limit-headers.ts";
import type { HttpSinkSpec, SecretRef } from "../spec.ts";
import type { AttemptOutcome } from "./delivery-retry.ts";
import { OutputError } from "./sink.ts";

/** The receiver: its URL without userinfo, a printable form, and credentials taken from the URL. */
export interface HttpSinkTarget {
  readonly url: string;
  readonly display: string;
  readonly user?: string;
  readonly password?: string;
}

/** Headers for one POST, and every secret value in them (masked in any message). */
export interface SinkHeaders {
  readonly headers: Record<string, string>;
  readonly secrets: readonly string[];
}

/** The label secret reads are audited under (`audit: credential accessed`, source `output.http`). */
const AUDIT_LABEL = "output.http";

/**
 * Builds the headers: configured ones (`${VAR}` expanded), `Content-Type: application/x-ndjson`
 * unless configured, `Content-Encoding: gzip` when gzipping, and `Authorization` from
 * `auth` (or from the URL's `user:password@`), which wins over a configured one. With `audit`
 * the credential read is written to the audit log (done at start, not per batch).
 */
export async function sinkHeaders(
  spec: HttpSinkSpec,
  target: HttpSinkTarget,
  env: Env,
  audit = false,
): Promise<SinkHeaders> {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, template] of Object.entries(spec.headers)) {
    const value = expand(template, env);
    headers[name.toLowerCase()] = value;
    // A configured header may well carry a key (`X-Api-Key: ${KEY}`).
    secrets.push(value);
  }
  headers["content-type"] ??= "application/x-ndjson";
  if (spec.gzip) headers["content-encoding"] = "gzip";
  const auth = await authorization(spec, target, env, audit);
  if (auth) {
    headers.authorization = auth.header;
    secrets.push(auth.header, ...auth.secrets);
  }
  return { headers, secrets };
}

async function authorization(
  spec: HttpSinkSpec,
  target: HttpSinkTarget,
  env: Env,
  audit: boolean,
): Promise<{ header: string; secrets: string[] } | undefined> {
  const auth = spec.auth;
  if (auth?.type === "bearer") {
    const token = await secret(auth.token, env, "auth token", audit ? "bearer_token" : undefined);
    return { header: `${auth.prefix} ${token}`, secrets: [token] };
  }
  if (auth?.type === "basic") {
    const user = await secret(auth.user, env, "auth user", audit ? "basic_user" : undefined);
    const password = auth.password
      ? await secret(auth.password, env, "auth password", audit ? "basic_password" : undefined)
      : "";
    return basic(user, password);
  }
  if (target.user !== undefined || target.password !== undefined) {
    return basic(target.user ?? "", target.password ?? "");
  }
  return undefined;
}

function basic(user: string, password: string): { header: string; secrets: string[] } {
  const encoded = Buffer.from(`${user}:${password}`, "utf8").toString("base64");
  return { header: `Basic ${encoded}`, secrets: [user, password, encoded] };
}

async function secret(
  ref: SecretRef,
  env: Env,
  what: string,
  kind: "bearer_token" | "basic_user" | "basic_password" | undefined,
): Promise<string> {
  try {
    return await readSecret(ref, env, AUDIT_LABEL, `global.output.http.${what}`, kind);
  } catch (error) {
    const message = (error as Error).message.replace(`source "${AUDIT_LABEL}": `, "");
    throw new OutputError("HELR_OUTPUT_HTTP_AUTH", message);
  }
}

/** What a response means for the batch. 2xx: acknowledged; 408, 429, 5xx: retry; else permanent. */
export function classifyResponse(
  res: HttpResponse,
  context: { readonly display: string; readonly lines: number; readonly secrets: readonly string[] },
  nowMs: number,
): AttemptOutcome {
  const { status } = res;
  if (status >= 200 && status < 300) return { kind: "acked" };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = status === 429 || status === 503 ? retryAfter(res, nowMs) : undefined;
    return {
      kind: "retry",
      reason: `HTTP ${status}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return {
    kind: "permanent",
    error: new OutputError(
      "HELR_OUTPUT_HTTP_REJECTED",
      `output ${context.display}: the receiver rejected a batch of ${context.lines} lines with HTTP ` +
        `${status}${excerpt(res, context.secrets)}; ${hint(status)}. State is not advanced past these lines`,
    ),
  };
}

/** A transport failure or timeout, as a retry reason. */
export function transportOutcome(error: unknown, timeoutSecs: number): AttemptOutcome {
  if (error instanceof HttpError && error.code === "HELR_HTTP_TIMEOUT") {
    return { kind: "retry", reason: `no response within ${timeoutSecs} s (timeout_secs)` };
  }
  if (error instanceof HttpError) return { kind: "retry", reason: error.message };
  throw error;
}

function retryAfter(res: HttpResponse, nowMs: number): number | undefined {
  const value = res.headers.get("retry-after")?.[0];
  return value === undefined ? undefined : parseRetryAfter(value.trim(), serverNowMs(res.headers, nowMs));
}

const EXCERPT_CHARS = 300;

/** The start of the response body, on one line, with every known secret masked. */
function excerpt(res: HttpResponse, secrets: readonly string[]): string {
  if (res.oversizeBytes !== undefined) return ` (a ${res.oversizeBytes}-byte body, not read)`;
  const text = res.body.toString("utf8", 0, Math.min(res.body.length, EXCERPT_CHARS * 4));
  const line = text.replace(/\s+/g, " ").trim().slice(0, EXCERPT_CHARS);
  if (line === "") return "";
  const more = text.length > EXCERPT_CHARS || res.body.length > EXCERPT_CHARS * 4 ? "…" : "";
  return `: "${redactValues(line, secrets)}${more}"`;
}

function hint(status: number): string {
  switch (status) {
    case 401:
    case 403:
      return "check global.output.http.auth (or the URL's user:password) and what the receiver expects";
    case 404:
    case 405:
      return "check the URL's path: the receiver has no NDJSON endpoint there";
    case 413:
      return "the batch is too large for the receiver: lower global.output.http.batch_size";
    default:
      return status >= 300 && status < 400
        ? "the receiver redirects: use the final URL in --output"
        : "the receiver does not accept this body (it expects NDJSON lines, one event per line)";
  }
}
