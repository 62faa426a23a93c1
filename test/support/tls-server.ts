/**
 * A local HTTPS server on 127.0.0.1 (port 0) for TLS tests: its certificate is signed by a test CA,
 * it can require a client certificate signed by that CA (mutual TLS), and its TLS versions can be
 * pinned (e.g. 1.2 only, to prove `min_version: "1.3"` refuses it).
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";

export interface TlsServerOptions {
  readonly cert: string;
  readonly key: string;
  /** CA that client certificates must chain to. */
  readonly clientCa?: string;
  /** Reject connections without a valid client certificate. */
  readonly requireClientCert?: boolean;
  readonly minVersion?: "TLSv1.2" | "TLSv1.3";
  readonly maxVersion?: "TLSv1.2" | "TLSv1.3";
}

export interface TlsServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** Subject CN of each client certificate presented on a served request (`-` when none). */
  readonly clients: string[];
  /** TLS protocol of each served request. */
  readonly protocols: string[];
  /** TCP connections accepted so far, handshakes that failed included. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts the server; every request gets `[{"id":"1","published":"…"}]` and the client's CN. */
export async function startTlsServer(options: TlsServerOptions): Promise<TlsServer> {
  const clients: string[] = [];
  const protocols: string[] = [];
  const server: Server = createServer(
    {
      cert: options.cert,
      key: options.key,
      ...(options.clientCa !== undefined ? { ca: options.clientCa } : {}),
      requestCert: options.requireClientCert === true,
      rejectUnauthorized: options.requireClientCert === true,
      ...(options.minVersion ? { minVersion: options.minVersion } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      const cn = peer && "subject" in peer && peer.subject ? String(peer.subject.CN) : "-";
      clients.push(cn);
      protocols.push(socket.getProtocol() ?? "?");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify([{ id: "1", published: "2024-05-21T13:00:00.000Z", client: cn }]));
    },
  );
  let connections = 0;
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    clients,
    protocols,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
