/**
 * The route table of Helr's HTTP servers: method plus a path pattern whose `:name` segments are
 * parameters (`/api/v1/sources/:id/state`). Matching is pure and exact (no trailing-slash or
 * case folding), so a route cannot answer on a path nobody wrote down.
 */
import type { IncomingHttpHeaders } from "node:http";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a handler sees of a request. */
export interface RouteRequest {
  readonly method: string;
  /** The path as sent (still percent-encoded), without the query string. */
  readonly path: string;
  /** `:name` segments of the pattern, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The request body, read within the server's size limit; empty when none was sent. */
  readonly body: Buffer;
  /** The caller's address (for the audit log); absent when the socket is already gone. */
  readonly remoteAddress?: string;
}

/** A handler's answer: JSON (serialised by the server) or text with its content type. */
export type RouteReply =
  | {
      readonly status: number;
      readonly json: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      readonly status: number;
      readonly text: string;
      readonly contentType: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

export interface Route {
  readonly method: Method;
  /** `/healthz`, `/api/v1/sources/:id`; segments starting with `:` match one non-empty segment. */
  readonly path: string;
  /** Checked by the server's `authorize` hook (bearer token) before the body is read. */
  readonly auth?: boolean;
  handle(request: RouteRequest): RouteReply | Promise<RouteReply>;
}

export type RouteMatch =
  | { readonly kind: "found"; readonly route: Route; readonly params: Readonly<Record<string, string>> }
  /** The path exists but not for this method; `allow` lists the methods that are (HEAD with GET). */
  | { readonly kind: "method"; readonly allow: readonly string[] }
  | { readonly kind: "none" };

/** A compiled table; build it once with {@link routeTable}. */
export interface RouteTable {
  match(method: string, path: string): RouteMatch;
}

interface Compiled {
  readonly route: Route;
  readonly segments: readonly string[];
}

/**
 * Compiles `routes`. Two routes with the same method and the same shape (`/a/:x` and `/a/:y`)
 * are a programming error and throw here, at start-up, not on some later request.
 */
export function routeTable(routes: readonly Route[]): RouteTable {
  const compiled: Compiled[] = [];
  const shapes = new Set<string>();
  for (const route of routes) {
    if (!route.path.startsWith("/")) throw new Error(`route path ${route.path} must start with /`);
    const segments = route.path.split("/").slice(1);
    const shape = `${route.method} /${segments.map((s) => (s.startsWith(":") ? ":" : s)).join("/")}`;
    if (shapes.has(shape)) throw new Error(`two routes for ${route.method} ${route.path}`);
    shapes.add(shape);
    compiled.push({ route, segments });
  }
  return { match: (method, path) => match(compiled, method, path) };
}

function match(compiled: readonly Compiled[], method: string, path: string): RouteMatch {
  const parts = path.split("/").slice(1);
  const allow = new Set<string>();
  // HEAD is GET without the body (node:http drops it), so every GET route answers HEAD too.
  const wanted = method === "HEAD" ? "GET" : method;
  for (const { route, segments } of compiled) {
    const params = bind(segments, parts);
    if (params === undefined) continue;
    if (route.method === wanted) return { kind: "found", route, params };
    allow.add(route.method);
    if (route.method === "GET") allow.add("HEAD");
  }
  return allow.size === 0 ? { kind: "none" } : { kind: "method", allow: [...allow].sort() };
}

/** The parameters when `parts` fits `segments`; undefined otherwise (or when a value is not valid percent-encoding). */
function bind(segments: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] ?? "";
    if (!segment.startsWith(":")) {
      if (segment !== part) return undefined;
      continue;
    }
    if (part === "") return undefined;
    try {
      params[segment.slice(1)] = decodeURIComponent(part);
    } catch {
      return undefined;
    }
  }
  return params;
}
