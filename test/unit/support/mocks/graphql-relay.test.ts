import { afterEach, describe, expect, it } from "vitest";
import {
  type AuditEvent,
  type GraphqlRelayMock,
  type GraphqlRelayMockOptions,
  startGraphqlRelayMock,
} from "../../../support/mocks/graphql-relay-mock.ts";
import { type CallResult, call } from "./http-client.ts";

let mock: GraphqlRelayMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(options: GraphqlRelayMockOptions = {}): Promise<GraphqlRelayMock> {
  mock = await startGraphqlRelayMock(options);
  return mock;
}

const PAGE = `query Page($first: Int!, $after: String) {
  auditEvents(first: $first, after: $after) {
    edges { cursor node { id createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Page {
  data: {
    auditEvents: {
      edges: { cursor: string; node: { id: string; createdAt: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

const post = (m: GraphqlRelayMock, body: unknown, authorization = `Bearer ${m.token}`): Promise<CallResult> =>
  call(`${m.url}/graphql`, {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body,
  });
const page = async (m: GraphqlRelayMock, first: number, after: string | null = null) =>
  (await post(m, { query: PAGE, variables: { first, after } })).body as Page;
const messages = (result: CallResult) =>
  (result.body as { errors: { message: string }[] }).errors.map((e) => e.message);

describe("graphql relay mock: paging", () => {
  it("pages oldest first with opaque cursors, and answers only the selected fields", async () => {
    const m = await start({ events: 5 });
    const first = await page(m, 3);
    expect(first.data.auditEvents.edges.map((e) => e.node)).toEqual(
      m.events.slice(0, 3).map((e) => ({ id: e.id, createdAt: e.createdAt })),
    );
    expect(first.data.auditEvents.pageInfo).toEqual({
      hasNextPage: true,
      endCursor: m.cursorOf(m.events[2] as AuditEvent),
    });
    expect(Buffer.from(first.data.auditEvents.pageInfo.endCursor ?? "", "base64").toString()).toBe(
      "cursor:v1:3",
    );
    const second = await page(m, 3, first.data.auditEvents.pageInfo.endCursor);
    expect(second.data.auditEvents.edges.map((e) => e.node.id)).toEqual(m.events.slice(3).map((e) => e.id));
    expect(second.data.auditEvents.pageInfo.hasNextPage).toBe(false);
  });

  it("caps `first` at maxFirst, and gives a null endCursor on an empty page", async () => {
    const m = await start({ events: 7, maxFirst: 4 });
    const capped = await page(m, 100);
    expect(capped.data.auditEvents.edges).toHaveLength(4);
    expect(capped.data.auditEvents.pageInfo.hasNextPage).toBe(true);
    const end = await page(m, 100, m.cursorOf(m.events[6] as AuditEvent));
    expect(end.data.auditEvents).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it("lists events added later after the last cursor handed out", async () => {
    const m = await start({ events: 2 });
    const last = (await page(m, 10)).data.auditEvents.pageInfo.endCursor;
    const added = m.addEvents(2);
    expect((await page(m, 10, last)).data.auditEvents.edges.map((e) => e.node.id)).toEqual(
      added.map((e) => e.id),
    );
  });

  it("answers `nodes`, aliases and __typename like a GraphQL server", async () => {
    const m = await start({ events: 1 });
    const result = await post(m, {
      query: "{ log: auditEvents(first: 1) { __typename nodes { id actor { login } } totalCount } }",
    });
    const event = m.events[0];
    expect(result.body).toEqual({
      data: {
        log: {
          __typename: "AuditEventConnection",
          nodes: [{ id: event?.id, actor: { login: event?.actor.login } }],
          totalCount: 1,
        },
      },
    });
  });
});

describe("graphql relay mock: errors", () => {
  it("answers 401 without the bearer token, and 400 for a body that is not a query", async () => {
    const m = await start({ events: 1 });
    expect((await post(m, { query: PAGE }, "Bearer nope")).status).toBe(401);
    expect((await post(m, "{not json")).status).toBe(400);
    expect((await post(m, { variables: {} })).status).toBe(400);
  });

  it("reports query problems in a 200 body, in graphql-js's words", async () => {
    const m = await start({ events: 1 });
    const cases: [string, unknown, string[]][] = [
      [
        "{ auditEvents(first: 1) { nodes { nope } } }",
        {},
        ['Cannot query field "nope" on type "AuditEvent".'],
      ],
      [
        "{ auditEvents(first: 1) { pageInfo } }",
        {},
        ['Field "pageInfo" of type "PageInfo" must have a selection of subfields.'],
      ],
      [
        "{ auditEvents(first: 1, last: 2) { totalCount } }",
        {},
        ['Unknown argument "last" on field "Query.auditEvents".'],
      ],
      [
        "query Q { auditEvents(first: $n) { totalCount } }",
        {},
        ['Variable "$n" is not defined by operation "Q".'],
      ],
      [PAGE, {}, ['Variable "$first" of required type "Int!" was not provided.']],
      ["{ auditEvents(first: 1) { totalCount }", {}, ["Syntax Error: Expected Name, found <EOF>."]],
      [
        "{ auditEvents { totalCount } }",
        {},
        ["You must provide a `first` or `last` value to properly paginate the `auditEvents` connection."],
      ],
      [PAGE, { first: 2, after: "bm9wZQ==" }, ["`bm9wZQ==` does not appear to be a valid cursor."]],
    ];
    for (const [query, variables, expected] of cases) {
      const result = await post(m, { query, variables });
      expect(result.status, query).toBe(200);
      expect(messages(result), query).toEqual(expected);
      expect((result.body as { data: unknown }).data, query).toBeNull();
    }
  });

  it("injects a GraphQL error after skipping the given number of requests", async () => {
    const m = await start({ events: 3 });
    m.graphqlErrorNext(1, "boom", 1);
    expect((await post(m, { query: PAGE, variables: { first: 1 } })).status).toBe(200);
    expect(messages(await post(m, { query: PAGE, variables: { first: 1 } }))).toEqual(["boom"]);
    expect((await page(m, 1)).data.auditEvents.edges).toHaveLength(1);
  });
});
