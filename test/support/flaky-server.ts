/**
 * A loopback HTTP server (127.0.0.1, port 0) that misbehaves on cue, for resilience tests: each
 * request takes the next step of a script — a plain response, a connection reset in the middle of
 * the body, a body that stalls, or a body that trickles forever. The last step repeats.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the server does with one request. */
export type FlakyStep =
  | {
      readonly kind?: "respond";
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string;
    }
  /** Sends headers announcing `body`, half of it, then destroys the socket (a reset mid-body). */
  | { readonly kind: "reset_mid_body"; readonly body: string }
  /** Sends headers and half of `body`, then goes silent for `stallMs` before finishing. */
  | { readonly kind: "stall"; readonly body: string; readonly stallMs: number }
  /** Sends one byte every `everyMs`, never finishing (no single pause is long). */
  | { readonly kind: "trickle"; readonly everyMs: number }
  /** Computes the step when the request arrives (e.g. a reset header relative to now). */
  | { readonly kind: "dynamic"; readonly step: () => FlakyStep };

/** One request as the server saw it. */
export interface FlakyHit {
  readonly at: number;
  readonly url: string;
  /** Client port: the same port on two hits means a reused (pooled) connection. */
  readonly remotePort: number | undefined;
}

export interface FlakyServer {
  readonly url: string;
  readonly hits: FlakyHit[];
  close(): Promise<void>;
}

/** Starts the server; `close()` it after the test. */
export async function startFlakyServer(script: readonly FlakyStep[]): Promise<FlakyServer> {
  const hits: FlakyHit[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const server = createServer((req, res) => {
    const step = script[Math.min(hits.length, script.length - 1)];
    hits.push({ at: Date.now(), url: req.url ?? "/", remotePort: req.socket.remotePort });
    if (step) play(step, req, res, later);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/logs`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function play(
  step: FlakyStep,
  _req: IncomingMessage,
  res: ServerResponse,
  later: (ms: number, fn: () => void) => void,
): void {
  switch (step.kind) {
    case undefined:
    case "respond":
      res
        .writeHead(step.status, { "content-type": "application/json", ...step.headers })
        .end(step.body ?? "[]");
      return;
    case "dynamic":
      play(step.step(), _req, res, later);
      return;
    case "reset_mid_body": {
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(step.body),
      });
      res.write(step.body.slice(0, step.body.length / 2), () => (res.socket as Socket | null)?.destroy());
      return;
    }
    case "stall":
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(step.body),
      });
      res.write(step.body.slice(0, step.body.length / 2));
      later(step.stallMs, () => res.end(step.body.slice(step.body.length / 2)));
      return;
    case "trickle": {
      res.writeHead(200, { "content-type": "application/json" });
      const drip = (): void => {
        if (res.destroyed) return;
        res.write(" ");
        later(step.everyMs, drip);
      };
      drip();
      return;
    }
  }
}
