/**
 * Which requests a hook's fetch() may send: pure policy, no I/O. The sandbox asks this before
 * anything leaves the process.
 */

/** A request a script asked for, as the prelude's fetch() serialises it. */
export interface FetchRequest {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What fetch() may do: allowed, with the request to send, or refused with a message for the script. */
export type FetchDecision =
  | { readonly allowed: true; readonly request: FetchRequest; readonly host: string }
  | { readonly allowed: false; readonly reason: string; readonly host?: string };

/**
 * Normalises allow-list entries: host names, lower case, without a trailing dot; an entry given
 * as a URL counts as its host; `*.example.com` allows every subdomain of example.com (not
 * example.com itself).
 */
export function allowedHostSet(entries: readonly string[]): readonly string[] {
  const hosts = new Set<string>();
  for (const entry of entries) {
    const host = entry.includes("://") ? hostOf(entry) : entry.trim().toLowerCase().replace(/\.$/, "");
    if (host) hosts.add(host);
  }
  return [...hosts].sort();
}

/** True when `host` (already lower case, as URL gives it) is listed or under a listed `*.` wildcard. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const bare = host.replace(/\.$/, "");
  return allowed.some((entry) => (entry.startsWith("*.") ? bare.endsWith(entry.slice(1)) : bare === entry));
}

/** Checks a serialised fetch() request against the allow list. */
export function decideFetch(requestJson: string, allowed: readonly string[]): FetchDecision {
  let raw: { url?: unknown; method?: unknown; headers?: unknown; body?: unknown };
  try {
    raw = JSON.parse(requestJson) as typeof raw;
  } catch {
    return { allowed: false, reason: "fetch: the request could not be read" };
  }
  const url = typeof raw.url === "string" ? raw.url : "";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allowed: false, reason: `fetch: ${JSON.stringify(url.slice(0, 200))} is not an absolute URL` };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return { allowed: false, reason: `fetch: only http and https URLs are allowed, not ${parsed.protocol}` };
  }
  const host = parsed.hostname;
  if (!hostAllowed(host, allowed)) {
    const list = allowed.length > 0 ? allowed.join(", ") : "none";
    return {
      allowed: false,
      host,
      reason: `fetch: host ${host} is not allowed for this source (allowed: ${list}; hooks.allow_hosts widens it)`,
    };
  }
  const method = typeof raw.method === "string" ? raw.method : "GET";
  if (method !== "GET" && method !== "POST") {
    return {
      allowed: false,
      host,
      reason: `fetch: method ${method} is not supported in hooks (GET or POST)`,
    };
  }
  const request: FetchRequest = {
    url: parsed.href,
    method,
    headers: headerRecord(raw.headers),
    ...(typeof raw.body === "string" ? { body: raw.body } : {}),
  };
  return { allowed: true, request, host };
}

function headerRecord(pairs: unknown): Record<string, string> {
  // No prototype: a header named __proto__ is an ordinary (if odd) header, not a prototype change.
  const headers = Object.create(null) as Record<string, string>;
  if (!Array.isArray(pairs)) return headers;
  for (const pair of pairs) {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") continue;
    const [name, value] = pair as [string, string];
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/\.$/, "");
  } catch {
    return "";
  }
}
