import { afterEach, describe, expect, it } from "vitest";
import { bearerAuthorizer } from "../../../runtime/server/bearer.ts";
import {
  type HttpServer,
  type HttpServerOptions,
  startHttpServer,
} from "../../../runtime/server/http-server.ts";
import type { Route } from "../../../runtime/server/routes.ts";
import { call, raw } from "../../support/http-call.ts";
import { recordingLog } from "../../support/server-log.ts";

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const echo: Route = {
  method: "POST",
  path: "/echo/:name",
  handle: (req) => ({
    status: 201,
    json: {
      name: req.params.name,
      query: req.query.get("q"),
      bytes: req.body.length,
      body: req.body.toString(),
    },
  }),
};
const hello: Route = {
  method: "GET",
  path: "/hello",
  handle: () => ({ status: 200, json: { hello: "world" } }),
};
const text: Route = {
  method: "GET",
  path: "/text",
  handle: () => ({ status: 200, text: "a 1\n", contentType: "text/plain; version=0.0.4" }),
};
const broken: Route = {
  method: "GET",
  path: "/broken",
  handle: () => {
    throw new Error("store handle is gone");
  },
};
const secret: Route = {
  method: "GET",
  path: "/secret",
  auth: true,
  handle: () => ({ status: 200, json: { ok: true } }),
};

async function start(options: Partial<HttpServerOptions> = {}) {
  const log = recordingLog();
  const server = await startHttpServer({
    bind: { key: "global.api", address: "127.0.0.1", port: 0 },
    routes: [echo, hello, text, broken, secret],
    log,
    ...options,
  });
  servers.push(server);
  return { server, log };
}

describe("HTTP server: routing and JSON answers", () => {
  it("answers a route with JSON, its params, query and body", async () => {
    const { server } = await start();
    const answer = await call(`${server.url}/echo/a%20b?q=1`, { method: "POST", body: "hi" });
    expect(answer.status).toBe(201);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.json).toEqual({ name: "a b", query: "1", bytes: 2, body: "hi" });
  });

  it("serves text replies with their content type, and HEAD without a body", async () => {
    const { server } = await start();
    const get = await call(`${server.url}/text`);
    expect(get).toMatchObject({ status: 200, text: "a 1\n" });
    expect(get.headers["content-type"]).toBe("text/plain; version=0.0.4");
    const head = await call(`${server.url}/hello`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
  });

  it("answers unknown paths 404 JSON and wrong methods 405 with Allow", async () => {
    const { server } = await start();
    const missing = await call(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: "not found" });
    expect(missing.headers["content-type"]).toBe("application/json");
    const wrong = await call(`${server.url}/hello`, { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe("GET, HEAD");
    expect(wrong.json).toEqual({ error: "method not allowed", allow: "GET, HEAD" });
    // No CORS: a preflight is just another method the route does not have.
    const preflight = await call(`${server.url}/hello`, { method: "OPTIONS" });
    expect(preflight.status).toBe(405);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("turns a throwing handler into a short 500 JSON, logged once per route and message", async () => {
    const { server, log } = await start();
    for (let i = 0; i < 3; i++) {
      const answer = await call(`${server.url}/broken`);
      expect(answer.status).toBe(500);
      expect(answer.json).toEqual({ error: "internal error" });
      expect(answer.text).not.toMatch(/at |store handle/);
    }
    expect(log.at("error")).toHaveLength(1);
    expect(log.at("error")[0]?.message).toBe(
      "global.api: GET /broken failed: store handle is gone (answered 500)",
    );
  });

  it("answers a malformed request 400 with a short JSON body and no stack", async () => {
    const { server, log } = await start();
    const answer = await raw(server.port, "GARBAGE\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toMatch(/\{"error":"bad request"\}$/);
    expect(answer).not.toMatch(/ at /);
    expect(log.at("error")).toEqual([]);
  });
});

describe("HTTP server: body limit", () => {
  it("refuses a body over the limit by Content-Length with 413, before reading it", async () => {
    const { server } = await start({ maxBodyBytes: 1024 });
    const answer = await call(`${server.url}/echo/x`, { method: "POST", body: "y".repeat(1025) });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ error: "request body too large", limit_bytes: 1024 });
  });

  it("refuses a chunked body once it passes the limit", async () => {
    const { server } = await start({ maxBodyBytes: 64 * 1024 });
    const answer = await call(`${server.url}/echo/x`, {
      method: "POST",
      body: "z".repeat(64 * 1024 + 1),
      chunked: true,
    });
    expect(answer.status).toBe(413);
  });

  it("accepts a body of exactly the limit (64 KiB by default)", async () => {
    const { server } = await start();
    const answer = await call(`${server.url}/echo/x`, {
      method: "POST",
      body: "k".repeat(64 * 1024),
      chunked: true,
    });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ bytes: 64 * 1024 });
  });
});

describe("HTTP server: bearer auth hook", () => {
  it("lets protected routes through only with the right bearer token; open routes stay open", async () => {
    const { server } = await start({ authorize: bearerAuthorizer("s3cret-token") });
    const none = await call(`${server.url}/secret`);
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ error: "unauthorized" });
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="helr"');
    const wrong = await call(`${server.url}/secret`, { headers: { authorization: "Bearer s3cret-tokem" } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain("s3cret");
    const right = await call(`${server.url}/secret`, { headers: { authorization: "Bearer s3cret-token" } });
    expect(right.status).toBe(200);
    expect((await call(`${server.url}/hello`)).status).toBe(200);
  });

  it("checks the token before reading the body (401, not 413)", async () => {
    const protectedPost: Route = { ...echo, path: "/p/:name", auth: true };
    const { server } = await start({
      routes: [protectedPost],
      authorize: bearerAuthorizer("t"),
      maxBodyBytes: 10,
    });
    const answer = await call(`${server.url}/p/x`, { method: "POST", body: "way more than ten bytes" });
    expect(answer.status).toBe(401);
  });
});

describe("HTTP server: close", () => {
  it("close() stops listening and is idempotent", async () => {
    const { server } = await start();
    expect((await call(`${server.url}/hello`)).status).toBe(200);
    await Promise.all([server.close(), server.close()]);
    await expect(call(`${server.url}/hello`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("lets an in-flight response finish before closing", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const inHandler = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow: Route = {
      method: "GET",
      path: "/slow",
      handle: async () => {
        arrived();
        await gate;
        return { status: 200, json: { done: true } };
      },
    };
    const { server } = await start({ routes: [slow] });
    const pending = call(`${server.url}/slow`);
    await inHandler;
    const closed = server.close();
    release();
    expect((await pending).json).toEqual({ done: true });
    await closed;
  });
});
