import { readFileSync } from "node:fs";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { HookContextInput } from "../../../runtime/hooks/contract.ts";
import { createHookRunner, type HookEventRecord, type HookRunner } from "../../../runtime/hooks/runner.ts";
import type { HookEvent } from "../../../runtime/hooks/shape.ts";
import { sendHttp } from "../../../runtime/http/client.ts";
import type { JsonValue } from "../../../runtime/spec.ts";
import {
  type MockReply,
  type MockRequest,
  type MockServer,
  serveMock,
} from "../../support/mocks/http-mock.ts";
import { jsScript } from "./support.ts";

const SCRIPT = readFileSync(new URL("./fixtures/andromeda-audit.js", import.meta.url), "utf8");
const PAT = "andromeda-pat-0123456789";
const SOURCE_HEADERS = {
  "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:147.0) Gecko/20100101 Firefox/147.0",
};

/** Andromeda's API as the script sees it: a PAT login that sets a cookie, and GraphQL events newest first. */
function andromedaMock(total: number): Promise<MockServer> {
  const nodes = Array.from({ length: total }, (_, i) => ({
    id: `evt-${total - i}`,
    type: "AUDIT",
    name: "UserLogin",
    time: new Date(Date.UTC(2026, 0, 1, 0, total - i)).toISOString(),
    actor: "ada@example.com",
    level: "INFO",
    subtype: "login",
    eventPrimaryKey: `pk-${total - i}`,
    __typename: "AndromedaEvent",
  }));
  return serveMock({ requestId: () => "req" }, (request: MockRequest): MockReply => {
    const body = JSON.parse(request.body || "null");
    if (request.url.pathname === "/login/access-key") {
      return body?.code === PAT
        ? {
            status: 200,
            body: {},
            headers: { "set-cookie": "andromeda_session=sess-1; Path=/; HttpOnly; Secure" },
          }
        : { status: 401, body: { message: "invalid access key" } };
    }
    if (request.headers.cookie !== "andromeda_session=sess-1") {
      return { status: 200, body: { errors: [{ message: "Not authenticated" }] } };
    }
    const { skip, pageSize } = body.variables.pageArgs as { skip: number; pageSize: number };
    const edges = nodes.slice(skip, skip + pageSize).map((node) => ({ node, __typename: "Edge" }));
    return { status: 200, body: { data: { AndromedaEvents: { edges, __typename: "Connection" } } } };
  });
}

/**
 * One poll the way the engine is meant to run hooks (docs/hooks.md): getAuth once, then per page
 * buildRequest, send, parseResponse, getNextPage — whose body wins over buildRequest's after the
 * first page — and commitState with the events written.
 */
async function poll(runner: HookRunner, api: string, state: Record<string, string>) {
  const input = (): HookContextInput => ({
    sourceId: "andromeda-audit",
    requestId: "helr-1",
    state,
    env: { ANDROMEDA_PAT: PAT, ANDROMEDA_API_URL: api, UNRELATED_SECRET: "x" },
    headers: SOURCE_HEADERS,
  });
  const auth = await runner.getAuth(input());
  const url = `${api}/graphql`;
  const events: HookEvent[] = [];
  const skips: JsonValue[] = [];
  let next: JsonValue | undefined;
  for (let page = 1; page <= 10; page++) {
    const override = await runner.buildRequest(input());
    const body = next ?? override?.body ?? null;
    skips.push((body as { variables: { pageArgs: { skip: number } } }).variables.pageArgs.skip);
    const headers = {
      ...SOURCE_HEADERS,
      ...override?.headers,
      ...(auth?.cookie ? { cookie: auth.cookie } : {}),
    };
    const response = await sendHttp({ method: "POST", url, headers, body: JSON.stringify(body) });
    events.push(...((await runner.parseResponse(input(), response)) ?? []));
    const following = await runner.getNextPage(input(), { url, body }, response);
    if (!following) break;
    next = following.body;
  }
  const written: HookEventRecord[] = events.map((e) => ({
    ts: e.ts ?? "",
    source: e.source ?? "andromeda-audit",
    event: e.event,
    ...(e.meta ? { meta: e.meta as Record<string, JsonValue> } : {}),
  }));
  return { events, skips, changes: await runner.commitState(input(), written) };
}

let runner: HookRunner | undefined;
let mock: MockServer | undefined;
afterEach(async () => {
  await runner?.close();
  await mock?.close();
  runner = mock = undefined;
});

describe("the Andromeda GraphQL hook script (the Rust Helr's example, rewritten)", () => {
  it("logs in with the PAT through fetch(), pages by skip, and commits the next skip and watermark", async () => {
    mock = await andromedaMock(120);
    runner = await createHookRunner(
      jsScript(SCRIPT, {
        name: "andromeda-audit.js",
        env: ["ANDROMEDA_API_URL", "ANDROMEDA_COOKIE", "ANDROMEDA_PAT"],
      }),
      {
        sourceId: "andromeda-audit",
        limits: { timeoutMs: 5000, memoryLimitMb: 64 },
        log: pino({ level: "silent" }),
        env: {},
        allowedHosts: ["127.0.0.1"],
        fetch: { send: sendHttp },
      },
    );
    expect([...runner.hooks]).toEqual([
      "getAuth",
      "buildRequest",
      "parseResponse",
      "getNextPage",
      "commitState",
    ]);

    const first = await poll(runner, mock.url, {});
    expect(first.skips).toEqual([0, 50, 100]);
    expect(first.events.map((e) => e.meta?.id)).toEqual(
      Array.from({ length: 120 }, (_, i) => `evt-${120 - i}`),
    );
    expect(first.events[0]).toMatchObject({ ts: "2026-01-01T02:00:00.000Z", source: "andromeda-audit" });
    expect(first.changes).toEqual({ skip: "120", watermark: "2026-01-01T00:01:00.000Z" });
    const logins = mock.requests.filter((r) => r.path === "/login/access-key");
    expect(logins).toHaveLength(1);
    expect(JSON.parse(logins[0]?.body ?? "")).toEqual({ code: PAT });
    expect(logins[0]?.headers["user-agent"]).toBe(SOURCE_HEADERS["User-Agent"]);

    // The next poll starts at the stored skip: nothing new, and skip stays where it is.
    const second = await poll(runner, mock.url, { skip: "120", watermark: "2026-01-01T00:01:00.000Z" });
    expect(second.skips).toEqual([120]);
    expect(second.events).toEqual([]);
    expect(second.changes).toEqual({ skip: "120", watermark: "2026-01-01T00:01:00.000Z" });
  });

  it("fails parseResponse with the GraphQL error, naming the hook and the script line", async () => {
    mock = await andromedaMock(3);
    runner = await createHookRunner(
      jsScript(SCRIPT, { name: "andromeda-audit.js", env: ["ANDROMEDA_API_URL"] }),
      {
        sourceId: "andromeda-audit",
        limits: { timeoutMs: 5000, memoryLimitMb: 64 },
        log: pino({ level: "silent" }),
        env: {},
        allowedHosts: ["127.0.0.1"],
      },
    );
    const response = await sendHttp({ method: "POST", url: `${mock.url}/graphql`, headers: {}, body: "{}" });
    const error = await runner
      .parseResponse({ sourceId: "andromeda-audit", requestId: "r", state: {}, env: {} }, response)
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'source "andromeda-audit": hook parseResponse threw Error: GraphQL errors: [{"message":"Not authenticated"}] (at andromeda-audit.js:63:43)',
    );
  });
});
