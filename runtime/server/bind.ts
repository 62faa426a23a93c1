/**
 * Binding Helr's servers: listen with an error that names the config key and the port or address,
 * and the start-up checks that come before any listen (two servers on one port).
 */
import type { Server } from "node:http";
import { isIP } from "node:net";
import { ServerError } from "./errors.ts";

/** Where one server listens, and which config block said so. */
export interface BindSpec {
  /** The config block, for messages: `global.metrics`, `global.api`. */
  readonly key: string;
  /** An IPv4 or IPv6 address (no brackets) or a host name. */
  readonly address: string;
  /** 0 lets the OS pick a free port (tests). */
  readonly port: number;
}

/** The address and port actually bound (the port the OS chose when asked for 0). */
export interface BoundAddress {
  readonly address: string;
  readonly port: number;
}

/** Starts `server` listening at `bind`; rejects with a `HELR_SERVER_BIND` {@link ServerError}. */
export function listen(server: Server, bind: BindSpec): Promise<BoundAddress> {
  if (bind.address.trim() === "") {
    return Promise.reject(new ServerError("HELR_SERVER_BIND", `${bind.key}.address is empty`));
  }
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off("listening", onListening);
      reject(bindError(bind, error));
    };
    const onListening = (): void => {
      server.off("error", onError);
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new ServerError("HELR_SERVER_BIND", `${bind.key}: listening, but not on a TCP port`));
        return;
      }
      resolve({ address: address.address, port: address.port });
    };
    server.once("error", onError);
    server.once("listening", onListening);
    try {
      server.listen({ port: bind.port, host: bind.address });
    } catch (error) {
      // A port out of range throws synchronously (ERR_SOCKET_BAD_PORT).
      server.off("error", onError);
      server.off("listening", onListening);
      reject(bindError(bind, error as Error));
    }
  });
}

/** The message an operator needs for a failed listen: which key, which value, and what to do. */
export function bindError(bind: BindSpec, error: Error): ServerError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = hostPort(bind.address, bind.port);
  const message = (() => {
    switch (code) {
      case "EADDRINUSE":
        return `${bind.key}.port ${bind.port}: address already in use on ${bind.address} (another process listens on ${where}; stop it or choose another port)`;
      case "EADDRNOTAVAIL":
        return `${bind.key}.address ${bind.address}: cannot be bound, it is not an address of this host`;
      case "EACCES":
        return `${bind.key}.port ${bind.port}: permission denied on ${bind.address} (ports below 1024 need privileges)`;
      case "ENOTFOUND":
      case "EAI_AGAIN":
      case "EAI_FAIL":
        return `${bind.key}.address ${JSON.stringify(bind.address)}: not an IP address or a resolvable host name`;
      case "ERR_SOCKET_BAD_PORT":
        return `${bind.key}.port ${bind.port}: not a valid port (0-65535)`;
      default:
        return `${bind.key}: cannot listen on ${where}: ${code ?? error.name}: ${error.message}`;
    }
  })();
  return new ServerError("HELR_SERVER_BIND", message, { cause: error });
}

/**
 * Rejects servers that would share an address and port (metrics and API on 9090), before either
 * listens, with both keys in the message. Port 0 (a free port each) never clashes. A wildcard
 * address (`0.0.0.0`, `::`) overlaps the addresses it covers; what this misses, the second
 * listen reports as "address already in use" under its own key.
 */
export function checkDistinctBinds(binds: readonly BindSpec[]): void {
  for (const [i, a] of binds.entries()) {
    for (const b of binds.slice(i + 1)) {
      if (a.port === 0 || a.port !== b.port || !overlaps(a.address, b.address)) continue;
      throw new ServerError(
        "HELR_SERVER_BIND",
        `${a.key}.port and ${b.key}.port are both ${a.port} on ${a.address === b.address ? a.address : `${a.address} and ${b.address}`}: each server needs its own port`,
      );
    }
  }
}

/** True for loopback addresses: `localhost`, 127.0.0.0/8, `::1` (also IPv4-mapped). */
export function isLoopbackAddress(address: string): boolean {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (a === "localhost" || a === "::1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** `127.0.0.1:9090`, `[::1]:9090`. */
export function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

function overlaps(a: string, b: string): boolean {
  const [x, y] = [a.trim().toLowerCase(), b.trim().toLowerCase()];
  if (x === y || x === "::" || y === "::") return true;
  const coversV4 = (wild: string, other: string): boolean => wild === "0.0.0.0" && isIP(other) !== 6;
  return coversV4(x, y) || coversV4(y, x);
}
