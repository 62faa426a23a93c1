import type { HttpRequest, HttpResponse, HttpSend } from "../../runtime/http/client.ts";
import type { ResilienceEvent, ResilienceLog } from "../../runtime/resilience/events.ts";

/** One logged line. */
export interface LogLine {
  readonly level: "warn" | "info" | "debug";
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A virtual clock whose sleep advances time at once, plus a log and event recorder. */
export function harness(start = Date.UTC(2024, 4, 21, 13, 0, 0)) {
  let t = start;
  const lines: LogLine[] = [];
  const events: ResilienceEvent[] = [];
  const sleeps: number[] = [];
  const log: ResilienceLog = {
    warn: (fields, message) => void lines.push({ level: "warn", fields, message }),
    info: (fields, message) => void lines.push({ level: "info", fields, message }),
    debug: (fields, message) => void lines.push({ level: "debug", fields, message }),
  };
  return {
    lines,
    events,
    sleeps,
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    deps: {
      now: () => t,
      random: () => 0.5,
      sleep: async (ms: number, signal: AbortSignal) => {
        if (signal.aborted) return;
        sleeps.push(ms);
        t += ms;
      },
      log,
      onEvent: (e: ResilienceEvent) => void events.push(e),
    },
  };
}

/** A response as the HTTP client returns it. */
export function response(
  status: number,
  headers: Record<string, string | string[]> = {},
  body = "",
  url = "http://api.test/logs",
): HttpResponse {
  const map = new Map<string, string[]>();
  for (const [k, v] of Object.entries(headers)) map.set(k.toLowerCase(), Array.isArray(v) ? v : [v]);
  return { status, headers: map, body: Buffer.from(body), url };
}

/** A sender that plays `script` in order (a response, or an Error to throw) and records requests. */
export function scripted(
  script: ReadonlyArray<HttpResponse | Error | ((req: HttpRequest) => Promise<HttpResponse>)>,
) {
  const requests: HttpRequest[] = [];
  const send: HttpSend = async (req) => {
    const step = script[requests.length] ?? script[script.length - 1];
    requests.push(req);
    if (step === undefined) throw new Error("script is empty");
    if (step instanceof Error) throw step;
    if (typeof step === "function") return step(req);
    return step;
  };
  return { send, requests };
}

/** A GET for the tests. */
export const GET: HttpRequest = { method: "GET", url: "http://api.test/logs?limit=2", headers: {} };
