import type { ConnectionOptions } from "node:tls";
import { Agent } from "undici";
import type { TimeoutSpec } from "../spec.ts";
import { explainTlsError, tlsConnector } from "./tls.ts";

/** A source's connection pool, and a way to explain its TLS failures in plain words. */
export interface SourceDispatcher {
  readonly agent: Agent;
  /** Why a request failed when TLS is the reason (e.g. a client certificate the server rejected). */
  explain(error: unknown): string | undefined;
}

/**
 * The connection pool of one source, kept for the life of the process (reused across polls).
 * connect timeout = `connectSecs`; response headers must arrive within `requestSecs`; the body may
 * pause at most `readSecs` between chunks; pooled connections idle longer than `idleSecs` close
 * (also when the server offers a longer keep-alive). `tls` carries the `resilience.tls` connect
 * options (runtime/http/tls.ts `tlsConnectOptions`). A value of 0 disables that timeout.
 */
export function createSourceDispatcher(timeouts: TimeoutSpec, tls?: ConnectionOptions): SourceDispatcher {
  const timeout = timeouts.connectSecs * 1000;
  // `timeout` reaches undici's buildConnector, where it is the connect timeout.
  const connector = tls ? tlsConnector({ ...tls, timeout }) : undefined;
  const idleMs = timeouts.idleSecs * 1000;
  const agent = new Agent({
    connect: connector ? connector.connect : { timeout },
    headersTimeout: timeouts.requestSecs * 1000,
    bodyTimeout: timeouts.readSecs * 1000,
    keepAliveTimeout: idleMs,
    keepAliveMaxTimeout: Math.max(1, idleMs),
  });
  return { agent, explain: (error) => (connector ? connector.explain(error) : explainTlsError(error)) };
}
