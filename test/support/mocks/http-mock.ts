/**
 * The socket side shared by every vendor mock: a JSON server on 127.0.0.1 (port 0 by default, plain HTTP
 * or HTTPS with a test certificate) that reads the whole request body, asks a pure handler for a reply,
 * records the exchange and writes the reply. Vendor behaviour lives in the handlers, not here.
 */
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** A server certificate and key (PEM), e.g. from test/support/certs.ts; the mock then speaks HTTPS. */
export interface MockTls {
  readonly cert: string;
  readonly key: string;
}

/** Options every vendor mock accepts; each mock documents its own defaults. */
export interface CommonMockOptions {
  /** Credential the mock expects; each vendor has a realistic default. */
  readonly token?: string;
  /** Seed for event contents and ids; default 1. */
  readonly seed?: number;
  /** Number of events at start (per stream for vendors with several); default 0. */
  readonly events?: number;
  /** Time of the first generated event (epoch ms or ISO string); default 2024-05-21T13:00:00.000Z. */
  readonly startTime?: number | string;
  /** The mock's clock (epoch ms) for rate-limit resets, defaults and late-event visibility; default Date.now. */
  readonly now?: () => number;
  /** Port to listen on; default 0 (any free port). */
  readonly port?: number;
  /** Serve HTTPS with this certificate instead of plain HTTP. */
  readonly tls?: MockTls;
}

/** The request as a handler sees it: the body is read in full first. */
export interface MockRequest {
  readonly method: string;
  /** Absolute URL (the mock's origin plus the request target). */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request as the mock saw it, recorded before the response is sent. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters (last value wins for repeats). */
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Raw request body ("" for GET). */
  readonly body: string;
  readonly status: number;
  readonly requestId: string;
}

/** What a handler answers; `body` is JSON-encoded unless it is already a string, omitted when undefined. */
export interface MockReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

export interface MockServer {
  /** Origin, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly port?: number | undefined;
  readonly tls?: MockTls | undefined;
  /** Makes the id for each request; sent in `requestIdHeader` when that is set. */
  readonly requestId: () => string;
  readonly requestIdHeader?: string;
  readonly contentType?: string;
}

const MAX_BODY_BYTES = 1 << 20;

/** Starts listening and resolves with the origin once the socket is bound. */
export async function serveMock(
  options: ServeOptions,
  handle: (request: MockRequest, requestId: string) => MockReply,
): Promise<MockServer> {
  const requests: RecordedRequest[] = [];
  let origin = "";
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req).then(
      (body) => {
        const url = new URL(req.url ?? "/", origin);
        const requestId = options.requestId();
        const method = req.method ?? "GET";
        const reply = handle({ method, url, headers: req.headers, body }, requestId);
        const query = Object.fromEntries(url.searchParams);
        requests.push({
          method,
          path: url.pathname,
          query,
          headers: req.headers,
          body,
          status: reply.status,
          requestId,
        });
        const idHeader =
          options.requestIdHeader === undefined ? {} : { [options.requestIdHeader]: requestId };
        const text =
          reply.body === undefined
            ? ""
            : typeof reply.body === "string"
              ? reply.body
              : JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          "content-type": options.contentType ?? "application/json; charset=utf-8",
          ...idHeader,
          ...reply.headers,
        });
        res.end(text);
      },
      () => {
        res.writeHead(413).end();
      },
    );
  };
  const server =
    options.tls === undefined ? createHttpServer(listener) : createHttpsServer(options.tls, listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const scheme = options.tls === undefined ? "http" : "https";
  origin = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error("request body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
