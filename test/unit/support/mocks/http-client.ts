/**
 * A tiny HTTP client for the mock tests, on node:http so a test controls every header (fetch always adds
 * a User-Agent) and sees repeated header lines as they were sent.
 */
import { request } from "node:http";

export interface CallOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as is when a string, JSON-encoded otherwise. */
  readonly body?: unknown;
}

export interface CallResult {
  readonly status: number;
  /** Header name (lowercased) → every value, one per header line. */
  readonly lines: ReadonlyMap<string, readonly string[]>;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly body: unknown;
  /** The single value of a header, or undefined. */
  header(name: string): string | undefined;
}

/** Sends one request and resolves with the whole response. */
export function call(url: string, options: CallOptions = {}): Promise<CallResult> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const lines = new Map<string, string[]>();
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = (res.rawHeaders[i] ?? "").toLowerCase();
          lines.set(name, [...(lines.get(name) ?? []), res.rawHeaders[i + 1] ?? ""]);
        }
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          status: res.statusCode ?? 0,
          lines,
          text,
          body: parseJson(text),
          header: (name) => lines.get(name.toLowerCase())?.join(", "),
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** rel → URL from every `link` header line (each may hold several comma-joined links). */
export function linkRels(result: CallResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of result.lines.get("link") ?? []) {
    for (const match of line.matchAll(/<([^>]*)>;\s*rel="([^"]+)"/g)) out.set(match[2] ?? "", match[1] ?? "");
  }
  return out;
}
