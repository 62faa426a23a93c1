/**
 * Drives an authenticator the way the engine does (runtime/engine/send.ts): authorize, send,
 * onResponse, and on a 401 one onUnauthorized → resend. Real sockets through `sendHttp`.
 */
import type { AuthContext, Authenticator, OutgoingRequest } from "../../../runtime/auth/types.ts";
import { type HttpResponse, type HttpSend, sendHttp } from "../../../runtime/http/client.ts";

export interface Call {
  readonly response: HttpResponse;
  /** Each request as sent (headers after authorize). */
  readonly sent: OutgoingRequest[];
  /** Secrets authorize returned, over all attempts. */
  readonly secrets: string[];
}

export async function callApi(
  auth: Authenticator,
  url: string,
  ctx: AuthContext,
  send: HttpSend = ctx.send ?? sendHttp,
): Promise<Call> {
  const sent: OutgoingRequest[] = [];
  const secrets: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const request: OutgoingRequest = { method: "GET", url, headers: { accept: "application/json" } };
    secrets.push(...(await auth.authorize(request, ctx)));
    sent.push(request);
    const response = await send({
      method: "GET",
      url: request.url,
      headers: request.headers,
      timeoutMs: 5000,
    });
    auth.onResponse?.(response);
    if (
      response.status === 401 &&
      attempt === 0 &&
      auth.onUnauthorized &&
      (await auth.onUnauthorized(response, ctx))
    ) {
      continue;
    }
    return { response, sent, secrets };
  }
}

/** A clock tests move by hand (epoch ms), starting at the real time so servers' freshness checks agree. */
export function manualClock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

/** A sleep that records the delays asked for and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => {
      delays.push(ms);
    },
  };
}

/** An in-memory AuthState. */
export function memoryState(initial: Record<string, string> = {}): {
  data: Record<string, string>;
  commits: Array<Readonly<Record<string, string | null>>>;
  read(): Promise<Record<string, string>>;
  commit(changes: Readonly<Record<string, string | null>>): Promise<void>;
} {
  const data = { ...initial };
  const commits: Array<Readonly<Record<string, string | null>>> = [];
  return {
    data,
    commits,
    async read() {
      return { ...data };
    },
    async commit(changes) {
      commits.push(changes);
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete data[k];
        else data[k] = v;
      }
    },
  };
}
