/**
 * Issue 14 through the built bundle: a header value that gets a CR or LF from the environment is
 * refused before any request is sent, naming the source and header but not the value; a response
 * over the default `max_response_bytes` (64 MiB) is not read, and fails the page.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv } from "../support/bundle.ts";
import { buildBundle, runBundle } from "./cli-support.ts";

const TOKEN = "guard-token-5c4b3a";
const INJECTED = "X-Injected: 1";

/** A loopback API that records requests; `/huge` declares a body one byte over 64 MiB. */
async function startApi(): Promise<{ url: string; requests: IncomingMessage[]; server: Server }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    if (req.url?.startsWith("/huge")) {
      res.writeHead(200, { "content-type": "application/json", "content-length": 64 * 1024 * 1024 + 1 });
      res.write("[");
      return; // never finished: the client must stop on the declared length alone
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify([{ uuid: "e1", published: "2024-01-01T00:00:00Z" }]));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

const config = `global:
  state:
    backend: sqlite
    path: "./state.db"
sources:
  api:
    url: "\${API_URL}/logs"
    auth:
      type: bearer
      token_env: API_TOKEN
    headers:
      X-Tenant: "\${TENANT:-acme}"
    transform:
      timestamp_field: published
      id_field: uuid
`;

let api: Awaited<ReturnType<typeof startApi>>;
let bundle: { dir: string; bundle: string };
const run = (args: string[], env: Record<string, string>) =>
  runBundle(bundle.bundle, args, bundle.dir, cleanEnv({ API_URL: api.url, API_TOKEN: TOKEN, ...env }));

beforeAll(async () => {
  api = await startApi();
  bundle = await buildBundle(config);
});
afterAll(async () => {
  api.server.closeAllConnections();
  await new Promise((done) => api.server.close(done));
});

describe("a header value with a line break from the environment", () => {
  it.each([
    ["TENANT", `acme\r\n${INJECTED}`, "X-Tenant"],
    ["API_TOKEN", `${TOKEN}\n${INJECTED}`, "authorization"],
  ])("%s: validate names the source and header, never the value", async (variable, value, header) => {
    const result = await run(["validate"], { [variable]: value });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `source "api": the value of header "${header}" contains a line break (CR or LF); the request was not sent`,
    );
    expect(result.stderr).not.toContain(INJECTED);
  });

  it.each([
    ["TENANT", `acme\r\n${INJECTED}`, "x-tenant"],
    ["API_TOKEN", `${TOKEN}\r\n${INJECTED}`, "authorization"],
  ])(
    "%s: run sends no request, fails at once, and never prints the value",
    async (variable, value, header) => {
      const before = api.requests.length;
      const result = await run(["run", "--once"], { [variable]: value });
      expect(result.code).toBe(1);
      expect(api.requests.length).toBe(before);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(
        `api: FAILED — source "api": the value of header "${header}" contains a line break (CR or LF); the request was not sent`,
      );
      expect(result.stderr).toContain('"code":"HELR_HEADER_INVALID"');
      // Not a transport error: nothing to retry.
      expect(result.stderr).not.toMatch(/retrying/);
      expect(result.stderr).not.toContain(INJECTED);
      expect(result.stderr).not.toContain(TOKEN);
    },
  );

  it("without one, the same bundle validates and polls", async () => {
    expect((await run(["validate"], {})).code).toBe(0);
    const result = await run(["run", "--once"], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"uuid":"e1"');
  });
});

describe("the default max_response_bytes", () => {
  it("stops at a declared length over 64 MiB: the page fails, nothing is written", async () => {
    const result = await run(["run", "--once"], { API_URL: `${api.url}/huge` });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("exceeds max_response_bytes (67108864)");
  });
});
