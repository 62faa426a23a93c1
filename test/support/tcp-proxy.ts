/**
 * A loopback TCP proxy in front of a server (the shared Redis, Postgres, NATS…) that a test cuts
 * and restores to play an outage without touching the server itself.
 */
import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** Stops listening and drops every open connection: clients see refused connections. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Cut for good (safe to call when already cut). */
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port to `host:targetPort` (default host 127.0.0.1). */
export async function start(targetPort: number, host = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let listening = false;
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host, port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => {
        sockets.delete(socket);
        // One side gone: the other goes too, as a real connection would.
        client.destroy();
        upstream.destroy();
      });
      socket.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  listening = true;
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("tcp proxy has no port");
  const cut = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise((done) => server.close(done));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port: address.port,
    cut,
    restore: async () => {
      if (listening) return;
      server.listen(address.port, "127.0.0.1");
      await once(server, "listening");
      listening = true;
    },
    close: cut,
  };
}
