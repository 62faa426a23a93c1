/**
 * A loopback HTTP API (127.0.0.1, port 0) whose answers a test computes per request, recording
 * every request it received (URL, headers, body): for end-to-end tests of hostile or odd APIs.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the server saw it. */
export interface ApiRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An answer: a JSON value (serialised) or a raw string body. */
export interface ApiReply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly json?: unknown;
  readonly body?: string;
}

export interface ApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: ApiRequest[];
  close(): Promise<void>;
}

/** Starts the server; `reply` sees each request and the server's own base URL. */
export async function startApi(
  reply: (request: ApiRequest, base: string) => ApiReply | Promise<ApiReply>,
): Promise<ApiServer> {
  const requests: ApiRequest[] = [];
  let base = "";
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", async () => {
      const seen: ApiRequest = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body,
      };
      requests.push(seen);
      const answer = await reply(seen, base);
      const text = answer.body ?? (answer.json !== undefined ? JSON.stringify(answer.json) : "");
      res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
