/**
 * Plain node:http and raw-socket clients for the server tests: they show exactly what a server
 * sent (status, headers, body), including on 413 and malformed requests, where fetch would hide it.
 */
import { request } from "node:http";
import { connect } from "node:net";

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

export interface CallOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Send the body in chunks without Content-Length (Transfer-Encoding: chunked). */
  readonly chunked?: boolean;
}

/** One request; resolves with what came back (never rejects on a status). */
export function call(url: string, options: CallOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined && !options.chunked)
      headers["content-length"] = String(Buffer.byteLength(options.body));
    const req = request(url, { method: options.method ?? "GET", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) });
      });
      res.on("error", reject);
    });
    // A server that answers early (413) and closes may reset our unfinished upload: that is fine.
    req.on("error", reject);
    if (options.body !== undefined) {
      if (options.chunked) {
        const body = Buffer.from(options.body);
        for (let at = 0; at < body.length; at += 16 * 1024) req.write(body.subarray(at, at + 16 * 1024));
      } else req.write(options.body);
    }
    req.end();
  });
}

/** Sends `bytes` on a raw TCP connection and resolves with everything the server sent before closing. */
export function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
