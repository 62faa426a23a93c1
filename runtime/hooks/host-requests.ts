import type { HttpResponse, HttpSend } from "../http/client.ts";
import { decideFetch } from "./fetch-policy.ts";

/** What a sandbox with `allow_network` needs to send fetch() requests. */
export interface HookFetchOptions {
  /**
   * The source's own HTTP client (its TLS settings and timeouts; no retries: a script decides
   * for itself whether to try again).
   */
  readonly send: HttpSend;
  /**
   * The hosts fetch() may reach, normalised by {@link allowedHostSet}: the hosts of the source's
   * URLs plus `hooks.allow_hosts`.
   */
  readonly allowedHosts: readonly string[];
  /** A larger response body fails the fetch (default 16 MiB). */
  readonly maxBodyBytes?: number;
}

/** A fetch() that finished, to be handed back to the script. */
export interface Completion {
  readonly id: number;
  readonly ok: boolean;
  /** ok: the response as JSON `{status, url, headers: [[name, value]…], body}`; else the error message. */
  readonly payload: string;
}

/** Callbacks of {@link HostRequests} for logging and masking. */
export interface HostRequestEvents {
  refused(reason: string, host: string | undefined): void;
  sent(method: string, host: string, status: number | undefined): void;
  redact(text: string): string;
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

/**
 * The fetch() requests of one hook call. Requests start synchronously from inside the script
 * (the allow list is checked first); their results queue up until the call's driver hands them
 * back. Every request is aborted when the call ends (its deadline included), so nothing a script
 * starts outlives its call.
 */
export class HostRequests {
  readonly #options: HookFetchOptions;
  readonly #events: HostRequestEvents;
  readonly #inflight = new Map<number, AbortController>();
  #done: Completion[] = [];
  #wake: (() => void) | undefined;
  #next = 1;

  constructor(options: HookFetchOptions, events: HostRequestEvents) {
    this.#options = options;
    this.#events = events;
  }

  /** Starts a request; returns its id, or the reason it was refused (the script's fetch rejects with it). */
  start(requestJson: string): number | string {
    const decision = decideFetch(requestJson, this.#options.allowedHosts);
    if (!decision.allowed) {
      this.#events.refused(decision.reason, decision.host);
      return decision.reason;
    }
    const id = this.#next++;
    const abort = new AbortController();
    this.#inflight.set(id, abort);
    const { request, host } = decision;
    const maxBodyBytes = this.#options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.#options
      // No timeoutMs of its own: the call's deadline aborts it (so a slow server is reported as
      // the hook's timeout), and the source client's connect and read timeouts still apply.
      .send({ ...request, signal: abort.signal, maxBodyBytes })
      .then(
        (response) => {
          this.#events.sent(request.method, host, response.status);
          if (response.oversizeBytes !== undefined) {
            this.#complete(
              id,
              false,
              `fetch: the response from ${host} is larger than ${maxBodyBytes} bytes`,
            );
          } else this.#complete(id, true, responsePayload(response));
        },
        (error: unknown) => {
          this.#events.sent(request.method, host, undefined);
          const message = error instanceof Error ? error.message : String(error);
          this.#complete(id, false, `fetch failed: ${this.#events.redact(message)}`);
        },
      );
    return id;
  }

  /** True while a request is in flight or a result waits to be handed back. */
  get busy(): boolean {
    return this.#inflight.size > 0 || this.#done.length > 0;
  }

  /** The results that arrived since the last call, oldest first. */
  take(): readonly Completion[] {
    const done = this.#done;
    this.#done = [];
    return done;
  }

  /** Resolves when a result is ready (at once if one already is). */
  wait(): Promise<void> {
    if (this.#done.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Aborts everything still in flight; late results are dropped. */
  abortAll(): void {
    for (const abort of this.#inflight.values()) abort.abort();
    this.#inflight.clear();
    this.#done = [];
  }

  #complete(id: number, ok: boolean, payload: string): void {
    if (!this.#inflight.delete(id)) return;
    this.#done.push({ id, ok, payload });
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function responsePayload(response: HttpResponse): string {
  const headers: Array<[string, string]> = [];
  for (const [name, values] of response.headers) for (const value of values) headers.push([name, value]);
  return JSON.stringify({
    status: response.status,
    url: response.url,
    headers,
    body: response.body.toString("utf8"),
  });
}
