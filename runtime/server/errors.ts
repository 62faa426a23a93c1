import { HelrError } from "../errors/helr-error.ts";

/** Stable codes of the HTTP servers (metrics, health probes, REST API). */
export type ServerErrorCode =
  /** A server could not listen: port in use, address not on this host, no permission, two servers on one port. */
  "HELR_SERVER_BIND";

/**
 * A server could not start. The message names the config key and the port or address
 * (`global.metrics.port 9090: address already in use on 127.0.0.1`), so the CLI prints it as
 * it is and exits 1 before any poll starts.
 */
export class ServerError extends HelrError {
  declare readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, message, options);
    this.name = "ServerError";
  }
}
