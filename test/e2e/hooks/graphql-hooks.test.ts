/**
 * A hook-paged GraphQL source through the built bundle (issue 20): buildRequest sends the query,
 * parseResponse reads `data.events.edges`, getNextPage advances `skip` (its body wins over
 * buildRequest's, the Rust Helr's bug fixed), commitState stores the offset for the next poll.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, helrc, runProcess, tempDir } from "../../support/bundle.ts";
import { type MockRequest, type MockServer, serveMock } from "../../support/mocks/http-mock.ts";

const NODES = Array.from({ length: 7 }, (_, i) => ({ id: `evt-${i + 1}`, time: `2026-01-01T00:0${i}:00Z` }));

const SCRIPT = `
function buildRequest(ctx) {
  const skip = Number(ctx.state.skip || 0);
  return { body: { query: "query Events($skip: Int) { events(skip: $skip) { edges { node { id time } } } }", variables: { skip, pageSize: 3 } } };
}
function parseResponse(ctx, response) {
  if (response.body.errors) throw new Error("GraphQL: " + response.body.errors[0].message);
  return response.body.data.events.edges.map((e) => ({ ts: e.node.time, event: e.node, meta: { id: e.node.id } }));
}
function getNextPage(ctx, request, response) {
  const edges = response.body.data.events.edges;
  if (edges.length < 3) return null;
  return { body: { ...request.body, variables: { ...request.body.variables, skip: request.body.variables.skip + 3 } } };
}
function commitState(ctx, events) {
  return { skip: String(Number(ctx.state.skip || 0) + events.length) };
}
`;

let api: MockServer;
let dir: string;
beforeAll(async () => {
  api = await serveMock({ requestId: () => "req" }, (request: MockRequest) => {
    const body = JSON.parse(request.body || "{}");
    const { skip, pageSize } = body.variables as { skip: number; pageSize: number };
    const edges = NODES.slice(skip, skip + pageSize).map((node) => ({ node }));
    return { status: 200, body: { data: { events: { edges } } } };
  });
  const yaml = [
    "global:",
    "  hooks: { enabled: true, timeout_secs: 2 }",
    "  state: { path: ./state.db }",
    "sources:",
    "  gql:",
    `    url: ${api.url}/graphql`,
    "    method: post",
    "    hooks:",
    "      script: ./gql.js",
  ].join("\n");
  dir = tempDir({ "helr.yaml": yaml, "gql.js": SCRIPT });
  const built = await helrc(["build", join(dir, "helr.yaml"), "-o", join(dir, "helr.js")]);
  expect(built.stderr).toBe("");
  expect(built.code).toBe(0);
});
afterAll(async () => {
  await api?.close();
});

const poll = () =>
  runProcess(process.execPath, [join(dir, "helr.js"), "run", "--once"], { cwd: dir, env: cleanEnv({}) });

describe("a GraphQL source paged by hooks, in the built bundle", () => {
  it("writes every event once across pages, and resumes from commitState's offset", async () => {
    const first = await poll();
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event.id)).toEqual(NODES.map((n) => n.id));
    expect(lines[0].ts).toBe("2026-01-01T00:00:00Z");
    expect(lines[0].meta.id).toBe("evt-1");
    const second = await poll();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe("");
    const skips = api.requests.map((r) => JSON.parse(r.body).variables.skip);
    expect(skips).toEqual([0, 3, 6, 7]);
  });
});

describe("a parseResponse hook with declarative paging, in the built bundle", () => {
  const PARSE = `function parseResponse(ctx, response) {
  return response.body.items.map((e) => ({ ts: e.time, event: e, meta: { id: e.id } }));
}
`;
  const page = (n: number) => NODES.slice(n * 3, n * 3 + 3);
  let paged: MockServer;
  beforeAll(async () => {
    paged = await serveMock({ requestId: () => "req" }, (request: MockRequest) => {
      const { url } = request;
      if (url.pathname === "/cursor") {
        const at = Number(url.searchParams.get("cursor") ?? 0);
        const more = at < 2;
        return { status: 200, body: { items: page(at), ...(more ? { next: String(at + 1) } : {}) } };
      }
      const at = Number(url.searchParams.get("page") ?? 0);
      const headers: Record<string, string> =
        at < 2 ? { link: `<${paged.url}/linked?page=${at + 1}>; rel="next"` } : {};
      return { status: 200, headers, body: { items: page(at) } };
    });
  });
  afterAll(async () => {
    await paged?.close();
  });

  async function run(path: string, pagination: string[]) {
    const yaml = [
      "global:",
      "  hooks: { enabled: true, timeout_secs: 2 }",
      "  state: { path: ./state.db }",
      "sources:",
      "  paged:",
      `    url: ${paged.url}${path}`,
      "    pagination:",
      ...pagination.map((line) => `      ${line}`),
      "    hooks:",
      "      script: ./parse.js",
    ].join("\n");
    const at = tempDir({ "helr.yaml": yaml, "parse.js": PARSE });
    const built = await helrc(["build", join(at, "helr.yaml"), "-o", join(at, "helr.js")]);
    expect(built.code, built.stderr).toBe(0);
    const polled = await runProcess(process.execPath, [join(at, "helr.js"), "run", "--once"], {
      cwd: at,
      env: cleanEnv({}),
    });
    expect(polled.code, polled.stderr).toBe(0);
    return polled.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).event.id);
  }

  it("follows a cursor the paginator reads from the hook-parsed page's body", async () => {
    const ids = await run("/cursor", ["strategy: cursor", "cursor_param: cursor", "cursor_path: next"]);
    expect(ids).toEqual(NODES.map((n) => n.id));
  });

  it("follows Link headers, which need no body", async () => {
    expect(await run("/linked", ["strategy: link_header"])).toEqual(NODES.map((n) => n.id));
  });
});
