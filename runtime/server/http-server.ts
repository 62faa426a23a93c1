/**
 * The one HTTP server Helr's metrics, health probes and REST API run on (node:http, no framework):
 * a route table, JSON answers, 404/405 as JSON, a body-size limit, an optional bearer check for
 * protected routes, clear bind errors and a graceful close. It runs on the collector's event loop,
 * so handlers must stay cheap (anything slow is bounded by the handler, see `probe-routes.ts`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Authorize } from "./bearer.ts";
import { type BindSpec, hostPort, listen } from "./bind.ts";
import { DEFAULT_MAX_BODY_BYTES, readBody } from "./body.ts";
import { type Route, type RouteReply, type RouteTable, routeTable } from "./routes.ts";

/** Where the servers log (a pino Logger fits). Messages never carry headers or bodies. */
export interface ServerLog {
  error(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export interface HttpServerOptions {
  readonly bind: BindSpec;
  readonly routes: readonly Route[];
  readonly log: ServerLog;
  /** Larger bodies get 413; default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Checks protected routes (`auth: true`); absent, they are open (a loopback-only API). */
  readonly authorize?: Authorize;
  /** How long `close()` lets in-flight responses finish before cutting connections; default 2 s. */
  readonly closeGraceMs?: number;
}

/** A listening server. */
export interface HttpServer {
  /** The config block it serves (`global.metrics`). */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** `http://127.0.0.1:9090` */
  readonly url: string;
  /** Stops listening, lets in-flight requests finish (up to the grace), then cuts what is left. */
  close(): Promise<void>;
}

interface Context {
  readonly key: string;
  readonly table: RouteTable;
  readonly log: ServerLog;
  readonly maxBodyBytes: number;
  readonly authorize: Authorize | undefined;
  /** Internal errors already logged at error level (route + message), so a scraper cannot flood the log. */
  readonly reported: Set<string>;
}

/** Starts a server; rejects with `HELR_SERVER_BIND` when it cannot listen. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const ctx: Context = {
    key: options.bind.key,
    table: routeTable(options.routes),
    log: options.log,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    authorize: options.authorize,
    reported: new Set(),
  };
  // Slow or stuck clients are cut off instead of holding a socket forever.
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      ctx.log.debug({ server: ctx.key, error: (error as Error).message }, "response failed");
      res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => refuse(ctx, error, socket));
  const bound = await listen(server, options.bind);
  let closing: Promise<void> | undefined;
  return {
    key: ctx.key,
    address: bound.address,
    port: bound.port,
    url: `http://${hostPort(bound.address, bound.port)}`,
    close: () => {
      closing ??= shutDown(server, options.closeGraceMs ?? 2_000);
      return closing;
    },
  };
}

async function handle(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = parseTarget(req.url ?? "/");
  if (target === undefined) return reply(res, { status: 400, json: { error: "bad request target" } });
  const found = ctx.table.match(req.method ?? "GET", target.path);
  if (found.kind === "none") return reply(res, { status: 404, json: { error: "not found" } });
  if (found.kind === "method") {
    const allow = found.allow.join(", ");
    return reply(res, { status: 405, json: { error: "method not allowed", allow }, headers: { allow } });
  }
  const { route, params } = found;
  const caller = {
    method: req.method ?? "GET",
    path: target.path,
    ...(req.socket.remoteAddress !== undefined ? { remoteAddress: req.socket.remoteAddress } : {}),
  };
  if (route.auth === true && ctx.authorize && !ctx.authorize(req.headers.authorization, caller)) {
    const headers = { "www-authenticate": 'Bearer realm="helr"' };
    return reply(res, { status: 401, json: { error: "unauthorized" }, headers });
  }
  const body = await readBody(req, ctx.maxBodyBytes);
  if (body === "too_large") {
    const json = { error: "request body too large", limit_bytes: ctx.maxBodyBytes };
    return reply(res, { status: 413, json, headers: { connection: "close" } });
  }
  try {
    const answer = await route.handle({
      method: req.method ?? "GET",
      ...target,
      params,
      headers: req.headers,
      body,
      ...(req.socket.remoteAddress !== undefined ? { remoteAddress: req.socket.remoteAddress } : {}),
    });
    return reply(res, answer);
  } catch (error) {
    internalError(ctx, `${route.method} ${route.path}`, error);
    return reply(res, { status: 500, json: { error: "internal error" } });
  }
}

/** The path and query of an origin-form (`/a?b`) or absolute-form (`http://h/a?b`) target. */
function parseTarget(raw: string): { path: string; query: URLSearchParams } | undefined {
  if (raw.startsWith("/")) {
    const at = raw.indexOf("?");
    return at < 0
      ? { path: raw, query: new URLSearchParams() }
      : { path: raw.slice(0, at), query: new URLSearchParams(raw.slice(at + 1)) };
  }
  try {
    const url = new URL(raw);
    return { path: url.pathname, query: url.searchParams };
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, answer: RouteReply): void {
  const [body, type] =
    "json" in answer ? [JSON.stringify(answer.json), "application/json"] : [answer.text, answer.contentType];
  res.writeHead(answer.status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...answer.headers,
  });
  res.end(body);
}

function internalError(ctx: Context, route: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const key = `${route}\0${message}`;
  const first = !ctx.reported.has(key);
  if (first && ctx.reported.size < 100) ctx.reported.add(key);
  const fields = { server: ctx.key, route, error: message };
  if (first) ctx.log.error(fields, `${ctx.key}: ${route} failed: ${message} (answered 500)`);
  else ctx.log.debug(fields, "handler failed again");
}

/** A request node:http could not parse: a short status line, no stack, no log above debug. */
function refuse(ctx: Context, error: NodeJS.ErrnoException, socket: Socket): void {
  ctx.log.debug({ server: ctx.key, code: error.code }, "malformed request refused");
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, text] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout"]
        : [400, "Bad Request"];
  const body = JSON.stringify({ error: text.toLowerCase() });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function shutDown(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    cut.unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
