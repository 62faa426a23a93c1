/**
 * A loopback NDJSON receiver (127.0.0.1) for the HTTP sink's tests: it records every POST (headers,
 * lines after gunzip) and answers each as a `behave` callback says — accept, an error status
 * (with Retry-After), never answer, store the lines and then never answer or fail (the sink
 * cannot know they arrived), reset the connection, or hold the answer until the test releases
 * it. It can be killed (every connection dropped) and started again on the same port, and can
 * start on a port nothing listens on yet (a receiver that is down from the start).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";

/** What the receiver does with one POST. */
export type ReceiverAction =
  | { readonly kind: "accept"; readonly status?: number }
  | {
      readonly kind: "status";
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string;
    }
  /** Never answers (the client's timeout fires). */
  | { readonly kind: "hang" }
  /** Stores the lines, then never answers: the client retries what already arrived. */
  | { readonly kind: "accept_then_hang" }
  /** Stores the lines, then answers 500. */
  | { readonly kind: "accept_then_fail" }
  /** Destroys the connection without an answer. */
  | { readonly kind: "reset" }
  /** Stores the lines and answers 200 once the test calls `release()`. */
  | { readonly kind: "hold" };

/** One POST as the receiver saw it. */
export interface ReceivedRequest {
  readonly index: number;
  readonly headers: IncomingMessage["headers"];
  readonly url: string;
  /** The body's lines (gunzipped when `Content-Encoding: gzip`), without their `\n`. */
  readonly lines: readonly string[];
  /** The body ended with `\n`. */
  readonly endsWithNewline: boolean;
  readonly action: ReceiverAction;
}

export interface NdjsonReceiver {
  readonly port: number;
  /** `http://127.0.0.1:<port>/ingest` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Lines the receiver stored (kept: accepted, held, accept_then_*), in arrival order, with repeats. */
  readonly stored: string[];
  /** Answers every held request with 200. */
  release(): void;
  /** Stops listening and drops every connection (a crash, as the client sees it). */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export interface ReceiverOptions {
  /** Decides each request's fate (default: accept). `index` counts from 0 across restarts. */
  readonly behave?: (index: number) => ReceiverAction;
  /** Listen on this port (default: a free one). */
  readonly port?: number;
  /** Do not listen until `start()`. */
  readonly down?: boolean;
}

/** Starts a receiver; `kill()` it after the test. */
export async function startReceiver(options: ReceiverOptions = {}): Promise<NdjsonReceiver> {
  const requests: ReceivedRequest[] = [];
  const stored: string[] = [];
  const held: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  const behave = options.behave ?? (() => ({ kind: "accept" }));
  const server: Server = createServer(async (req, res) => {
    let text: string;
    try {
      const body = Buffer.concat(await req.toArray());
      text = (req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString("utf8");
    } catch {
      // The client gave up mid-body, or the gzip is broken: nothing to record.
      if (!res.destroyed) res.writeHead(400).end("unreadable body");
      return;
    }
    const action = behave(requests.length);
    const lines = text.split("\n");
    const endsWithNewline = lines.at(-1) === "";
    if (endsWithNewline) lines.pop();
    requests.push({
      index: requests.length,
      headers: req.headers,
      url: req.url ?? "/",
      lines,
      endsWithNewline,
      action,
    });
    answer(action, res, () => stored.push(...lines), held);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  let port = options.port ?? 0;
  const listen = async (): Promise<void> => {
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  };
  if (options.down) port = port || (await freePort());
  else await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}/ingest`;
    },
    requests,
    stored,
    release: () => {
      for (const res of held.splice(0)) res.writeHead(200).end();
    },
    kill: async () => {
      held.splice(0);
      if (!server.listening) return;
      const closed = new Promise((done) => server.close(done));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    start: listen,
  };
}

function answer(
  action: ReceiverAction,
  res: ServerResponse,
  store: () => void,
  held: ServerResponse[],
): void {
  switch (action.kind) {
    case "accept":
      store();
      res.writeHead(action.status ?? 200).end();
      return;
    case "status":
      res.writeHead(action.status, action.headers).end(action.body ?? "");
      return;
    case "hang":
      return;
    case "accept_then_hang":
      store();
      return;
    case "accept_then_fail":
      store();
      res.writeHead(500).end("stored, then failed");
      return;
    case "reset":
      res.socket?.destroy();
      return;
    case "hold":
      store();
      held.push(res);
      return;
  }
}

/** A loopback port free right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

/** Waits until `condition()` holds (checked every few ms); fails after `limitMs` with `what`. */
export async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
