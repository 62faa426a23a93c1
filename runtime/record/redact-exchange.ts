import { knownSecretValues } from "../config/secret-registry.ts";
import type { HttpRequest, HttpResponse } from "../http/client.ts";
import { maskValues, redactUrl, redactValues } from "../http/redact.ts";
import type { Recording } from "./format.ts";

/** Header names whose values are credentials, whatever they contain. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]);
/** Header names that look like credentials (`x-auth-token`, `x-amz-security-token`, `dpop`, `dpop-nonce`). */
const SECRET_HEADER_NAME = /token|secret|api[-_]?key|password|session|dpop|credential/i;

/** Redacted header value. */
const REDACTED = "REDACTED";

/**
 * The secret values a request carries: its credential headers (whole, the part after the auth
 * scheme, and a Basic password — or the user when the password is empty, as with API-key-as-user
 * logins; never an ordinary user name, which audit events are full of).
 */
export function requestSecrets(req: HttpRequest): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (!SECRET_HEADERS.has(lower) && !SECRET_HEADER_NAME.test(lower)) continue;
    found.push(value);
    if (lower === "cookie") found.push(...cookieValues(value));
    const [scheme, credential] = splitScheme(value);
    if (credential === undefined) continue;
    found.push(credential);
    if (scheme.toLowerCase() === "basic") found.push(...basicSecrets(credential));
  }
  return found;
}

/**
 * What is saved for one exchange: the URL without userinfo or secret-looking query values;
 * credential headers replaced; any header or body text holding a known secret masked
 * (`Link` URLs are redacted like the request URL, keeping the header usable). `secrets` are the
 * process's known secrets (config/secret-registry.ts) unless a test passes its own.
 */
export function redactExchange(
  req: HttpRequest,
  res: HttpResponse,
  secrets: readonly string[] = knownSecretValues(),
): Recording {
  const known = [...new Set([...secrets, ...requestSecrets(req)])].filter((s) => s.length >= 4);
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of res.headers) {
    const redacted = values.map((v) => redactHeader(name, v, known));
    headers[name] = redacted.length === 1 ? (redacted[0] ?? "") : redacted;
  }
  return {
    url: redactUrl(res.url || req.url, known),
    method: req.method,
    status: res.status,
    headers,
    body_base64: redactBody(res.body, known).toString("base64"),
    ...(res.oversizeBytes !== undefined ? { oversize_bytes: res.oversizeBytes } : {}),
  };
}

function redactHeader(name: string, value: string, secrets: readonly string[]): string {
  if (SECRET_HEADERS.has(name) || SECRET_HEADER_NAME.test(name)) return REDACTED;
  if (name === "link" || name === "location" || name === "content-location") {
    return value
      .replace(/<([^>]*)>/g, (_, url: string) => `<${redactUrl(url, secrets)}>`)
      .replace(/^[a-z][a-z0-9+.-]*:\/\/\S+$/i, (url) => redactUrl(url, secrets));
  }
  return redactValues(value, secrets) === value ? value : REDACTED;
}

/** Masks each secret (and its URL-encoded form) in the body; the body is returned as is when none occurs. */
function redactBody(body: Buffer, secrets: readonly string[]): Buffer {
  const needles = secrets.flatMap((s) => (encodeURIComponent(s) === s ? [s] : [s, encodeURIComponent(s)]));
  if (!needles.some((s) => body.includes(s))) return body;
  const text = body.toString("utf8");
  // Bodies that are not UTF-8 are kept byte for byte: masking would have to decode them.
  if (!Buffer.from(text, "utf8").equals(body)) return body;
  // Secrets only: identifiers (a client id, a user name) are what audit events are made of.
  return Buffer.from(maskValues(text, secrets), "utf8");
}

function splitScheme(value: string): [string, string | undefined] {
  const space = value.indexOf(" ");
  return space === -1 ? [value, undefined] : [value.slice(0, space), value.slice(space + 1).trim()];
}

function cookieValues(header: string): string[] {
  return header
    .split(";")
    .map((part) => part.slice(part.indexOf("=") + 1).trim())
    .filter((value) => value !== "");
}

function basicSecrets(credential: string): string[] {
  const decoded = Buffer.from(credential, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return [];
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return password ? [password] : [user];
}
