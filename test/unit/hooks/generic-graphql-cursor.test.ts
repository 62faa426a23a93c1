/**
 * The shipped GraphQL cursor template's hooks (sources/hooks/generic-graphql-cursor.js) in the
 * sandbox, one hook at a time: the request body, the events, the next page, and which endCursor
 * commitState stores for the events that were written. The whole source against a mock API is
 * test/e2e/catalog-graphql-cursor.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HookContextInput } from "../../../runtime/hooks/contract.ts";
import { createHookRunner, type HookEventRecord, type HookRunner } from "../../../runtime/hooks/runner.ts";
import { ROOT } from "../../support/bundle.ts";
import { jsScript } from "./support.ts";

const SCRIPT = readFileSync(join(ROOT, "sources/hooks/generic-graphql-cursor.js"), "utf8");

let runner: HookRunner;
beforeAll(async () => {
  runner = await createHookRunner(jsScript(SCRIPT, { name: "generic-graphql-cursor.js" }), {
    sourceId: "gql",
    limits: { timeoutMs: 5000, memoryLimitMb: 64 },
    log: pino({ level: "silent" }),
    env: {},
    allowedHosts: ["127.0.0.1"],
  });
});
afterAll(async () => {
  await runner?.close();
});

const ctx = (state: Record<string, string> = {}): HookContextInput => ({
  sourceId: "gql",
  requestId: "helr-1",
  state,
  env: {},
});
const response = (body: unknown) => ({ status: 200, headers: new Map(), body: JSON.stringify(body) });
const connection = (ids: string[], pageInfo: Record<string, unknown>) =>
  response({
    data: {
      auditEvents: {
        edges: ids.map((id, i) => ({ node: { id, createdAt: `2026-01-01T00:00:0${i}Z`, action: "a" } })),
        pageInfo,
      },
    },
  });
const written = (ids: string[]): HookEventRecord[] =>
  ids.map((id) => ({ ts: "2026-01-01T00:00:00Z", source: "gql", event: { id }, meta: { id } }));

describe("the generic GraphQL cursor hooks", () => {
  it("asks for `first` nodes after the stored cursor, or from the start", async () => {
    const fresh = (await runner.buildRequest(ctx()))?.body as { query: string; variables: unknown };
    expect(fresh.variables).toEqual({ first: 100, after: null });
    expect(fresh.query).toContain("auditEvents(first: $first, after: $after)");
    expect(fresh.query).toContain("pageInfo { hasNextPage endCursor }");
    const resumed = (await runner.buildRequest(ctx({ end_cursor: "c9" })))?.body as { variables: unknown };
    expect(resumed.variables).toEqual({ first: 100, after: "c9" });
  });

  it("turns the nodes into events, from edges or nodes (no time field: no ts, so the read time)", async () => {
    const events = await runner.parseResponse(
      ctx(),
      connection(["a", "b"], { hasNextPage: false, endCursor: "c2" }),
    );
    expect(events).toEqual([
      {
        ts: "2026-01-01T00:00:00Z",
        event: { id: "a", createdAt: "2026-01-01T00:00:00Z", action: "a" },
        meta: { id: "a" },
      },
      {
        ts: "2026-01-01T00:00:01Z",
        event: { id: "b", createdAt: "2026-01-01T00:00:01Z", action: "a" },
        meta: { id: "b" },
      },
    ]);
    const nodes = response({
      data: { auditEvents: { nodes: [{ id: "x" }], pageInfo: { hasNextPage: false } } },
    });
    expect(await runner.parseResponse(ctx(), nodes)).toEqual([{ event: { id: "x" }, meta: { id: "x" } }]);
  });

  it("fails on GraphQL errors, and on an answer without the connection or its pageInfo", async () => {
    const errors = response({ errors: [{ message: "first" }, { message: "second" }], data: null });
    await expect(runner.parseResponse(ctx(), errors)).rejects.toThrow("GraphQL error: first; second");
    await expect(runner.parseResponse(ctx(), response({ data: {} }))).rejects.toThrow(
      "the answer has no data.auditEvents",
    );
    await expect(
      runner.parseResponse(ctx(), response({ data: { auditEvents: { edges: [] } } })),
    ).rejects.toThrow("data.auditEvents has no pageInfo");
  });

  it("pages on with after: endCursor while hasNextPage, and refuses a next page without a cursor", async () => {
    const request = { url: "https://127.0.0.1/graphql" };
    const more = await runner.getNextPage(
      ctx(),
      request,
      connection(["a"], { hasNextPage: true, endCursor: "c1" }),
    );
    expect((more?.body as { variables: unknown } | undefined)?.variables).toEqual({
      first: 100,
      after: "c1",
    });
    expect(
      await runner.getNextPage(ctx(), request, connection(["a"], { hasNextPage: false, endCursor: "c1" })),
    ).toBeNull();
    await expect(
      runner.getNextPage(ctx(), request, connection(["a"], { hasNextPage: true, endCursor: null })),
    ).rejects.toThrow("pageInfo.hasNextPage is true but endCursor is empty");
  });

  it("stores the endCursor of the last page whose last event was written, and nothing without one", async () => {
    const read = async () => {
      await runner.parseResponse(ctx(), connection(["a", "b"], { hasNextPage: true, endCursor: "c2" }));
      await runner.parseResponse(ctx(), connection(["c", "d"], { hasNextPage: false, endCursor: "c4" }));
    };
    await read();
    expect(await runner.commitState(ctx(), written(["a", "b", "c", "d"]))).toEqual({ end_cursor: "c4" });
    // Dedupe dropped `d`: storing c4 would step past it, so the poll stores c2 and the next reads c, d again.
    await read();
    expect(await runner.commitState(ctx(), written(["a", "b", "c"]))).toEqual({ end_cursor: "c2" });
    // What a committed poll read is forgotten: the same events again end no page.
    expect(await runner.commitState(ctx(), written(["a", "b", "c", "d"]))).toEqual({});
    expect(await runner.commitState(ctx(), [])).toEqual({});
  });
});
