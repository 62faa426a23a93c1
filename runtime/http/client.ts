import { request } from "undici";
import { HttpError } from "./errors.ts";

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header name → every value received (repeated headers keep each line). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: Buffer;
  /** The URL that produced this response. */
  readonly url: string;
}

/** The one function that sends HTTP; injected into the engine so tests can replace it. */
export type HttpSend = (req: HttpRequest) => Promise<HttpResponse>;

/** Sends a request with undici; transport failures become {@link HttpError} `HELR_HTTP_TRANSPORT`. */
export const sendHttp: HttpSend = async (req) => {
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: headerMap(res.headers), body, url: req.url };
  } catch (error) {
    const err = error as Error & { code?: string };
    throw new HttpError("HELR_HTTP_TRANSPORT", `${err.code ?? err.name}: ${err.message}`);
  }
};

function headerMap(headers: Record<string, string | string[] | undefined>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    map.set(name.toLowerCase(), Array.isArray(value) ? value : [value]);
  }
  return map;
}
