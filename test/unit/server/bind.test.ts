import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { checkDistinctBinds, hostPort, isLoopbackAddress } from "../../../runtime/server/bind.ts";
import { ServerError } from "../../../runtime/server/errors.ts";
import { type HttpServer, startHttpServer } from "../../../runtime/server/http-server.ts";
import { startServers } from "../../../runtime/server/servers.ts";
import { call } from "../../support/http-call.ts";
import { recordingLog } from "../../support/server-log.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

/** A plain TCP listener holding a loopback port. */
async function occupy(): Promise<number> {
  const holder: Server = createServer();
  holder.listen(0, "127.0.0.1");
  await once(holder, "listening");
  cleanup.push(() => new Promise((done) => holder.close(() => done())));
  return (holder.address() as { port: number }).port;
}

const hello = { method: "GET" as const, path: "/hello", handle: () => ({ status: 200, json: {} }) };

async function startAt(key: string, address: string, port: number): Promise<HttpServer> {
  const server = await startHttpServer({
    bind: { key, address, port },
    routes: [hello],
    log: recordingLog(),
  });
  cleanup.push(() => server.close());
  return server;
}

async function bindFailure(key: string, address: string, port: number): Promise<ServerError> {
  const error = await startAt(key, address, port).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServerError);
  expect(error).toMatchObject({ code: "HELR_SERVER_BIND" });
  return error as ServerError;
}

describe("binding errors name the key and the port or address", () => {
  it("a port already in use", async () => {
    const port = await occupy();
    const error = await bindFailure("global.metrics", "127.0.0.1", port);
    expect(error.message).toBe(
      `global.metrics.port ${port}: address already in use on 127.0.0.1 (another process listens on 127.0.0.1:${port}; stop it or choose another port)`,
    );
    expect(error.stack).toBeDefined();
  });

  it("an address that is not this host's", async () => {
    // 192.0.2.0/24 is TEST-NET-1: never assigned to a real interface.
    const error = await bindFailure("global.api", "192.0.2.1", 0);
    expect(error.message).toBe(
      "global.api.address 192.0.2.1: cannot be bound, it is not an address of this host",
    );
  });

  it("a host name that does not resolve", async () => {
    const error = await bindFailure("global.api", "no-such-host.invalid", 0);
    expect(error.message).toBe(
      'global.api.address "no-such-host.invalid": not an IP address or a resolvable host name',
    );
  });

  it("a port out of range, and an empty address", async () => {
    expect((await bindFailure("global.metrics", "127.0.0.1", 70000)).message).toBe(
      "global.metrics.port 70000: not a valid port (0-65535)",
    );
    expect((await bindFailure("global.metrics", " ", 9090)).message).toBe("global.metrics.address is empty");
  });
});

describe("metrics and API may not share a port", () => {
  const metrics = (address: string, port: number) => ({ key: "global.metrics", address, port });
  const api = (address: string, port: number) => ({ key: "global.api", address, port });

  it("refuses the same address and port, and wildcards that cover the other address", () => {
    expect(() => checkDistinctBinds([metrics("127.0.0.1", 9090), api("127.0.0.1", 9090)])).toThrow(
      "global.metrics.port and global.api.port are both 9090 on 127.0.0.1: each server needs its own port",
    );
    expect(() => checkDistinctBinds([metrics("0.0.0.0", 8080), api("127.0.0.1", 8080)])).toThrow(
      "global.metrics.port and global.api.port are both 8080 on 0.0.0.0 and 127.0.0.1",
    );
    expect(() => checkDistinctBinds([metrics("::1", 8080), api("::", 8080)])).toThrow(ServerError);
  });

  it("allows different ports, disjoint addresses, and port 0", () => {
    expect(() => checkDistinctBinds([metrics("127.0.0.1", 9090), api("127.0.0.1", 8080)])).not.toThrow();
    expect(() => checkDistinctBinds([metrics("127.0.0.1", 9090), api("127.0.0.2", 9090)])).not.toThrow();
    expect(() => checkDistinctBinds([metrics("0.0.0.0", 9090), api("::1", 9090)])).not.toThrow();
    expect(() => checkDistinctBinds([metrics("127.0.0.1", 0), api("127.0.0.1", 0)])).not.toThrow();
  });

  it("startServers starts none when the second cannot listen (the first is closed again)", async () => {
    const taken = await occupy();
    const log = recordingLog();
    const first = { bind: { key: "global.metrics", address: "127.0.0.1", port: 0 }, routes: [hello], log };
    const second = { bind: { key: "global.api", address: "127.0.0.1", port: taken }, routes: [hello], log };
    await expect(startServers([first, second])).rejects.toThrow(
      `global.api.port ${taken}: address already in use`,
    );
    // Nothing is left listening: a second attempt with a free port for the API succeeds.
    const started = await startServers([first, { ...second, bind: { ...second.bind, port: 0 } }]);
    cleanup.push(async () => {
      await Promise.all(started.map((s) => s.close()));
    });
    expect(started.map((s) => s.key)).toEqual(["global.metrics", "global.api"]);
  });

  it("startServers refuses a shared port before listening at all", async () => {
    const log = recordingLog();
    const bind = { address: "127.0.0.1", port: 1 };
    await expect(
      startServers([
        { bind: { key: "global.metrics", ...bind }, routes: [hello], log },
        { bind: { key: "global.api", ...bind }, routes: [hello], log },
      ]),
    ).rejects.toThrow("global.metrics.port and global.api.port are both 1 on 127.0.0.1");
  });
});

describe("addresses", () => {
  it("binds an IPv6 address without brackets (the Rust Helr formats addr:port and fails)", async (ctx) => {
    const server = await startAt("global.api", "::1", 0).catch(() => undefined);
    if (server === undefined) {
      ctx.skip();
      return;
    }
    expect(server.url).toBe(`http://[::1]:${server.port}`);
    expect((await call(`${server.url}/hello`)).status).toBe(200);
  });

  it("knows loopback addresses (a non-loopback API will need a token)", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]) {
      expect(isLoopbackAddress(a), a).toBe(true);
    }
    for (const a of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "example.com", "128.0.0.1"]) {
      expect(isLoopbackAddress(a), a).toBe(false);
    }
    expect(hostPort("::1", 80)).toBe("[::1]:80");
    expect(hostPort("127.0.0.1", 80)).toBe("127.0.0.1:80");
  });
});
