/** Starting the collector's servers together: all of them, or none. */
import { checkDistinctBinds } from "./bind.ts";
import { type HttpServer, type HttpServerOptions, startHttpServer } from "./http-server.ts";

/**
 * Checks that no two servers share an address and port, then starts them in order. When one
 * cannot listen, the ones already started are closed and its `HELR_SERVER_BIND` error is
 * thrown, so `run` can exit 1 before any poll starts.
 */
export async function startServers(servers: readonly HttpServerOptions[]): Promise<HttpServer[]> {
  checkDistinctBinds(servers.map((s) => s.bind));
  const started: HttpServer[] = [];
  try {
    for (const options of servers) started.push(await startHttpServer(options));
    return started;
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}
