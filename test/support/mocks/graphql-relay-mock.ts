/**
 * A local mock of a Relay-style GraphQL API, the shape GitHub's, Shopify's and Linear's event
 * connections share, for sources/generic-graphql-cursor.yaml: `POST /graphql` with
 * `{query, variables, operationName?}` and `Authorization: Bearer <token>`. The root field
 * `auditEvents(first: Int, after: String)` is an `AuditEventConnection` with `edges { cursor node }`,
 * `nodes`, `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }` and `totalCount`, listed
 * OLDEST FIRST: an append-only log, so events added later come after every cursor handed out.
 *
 * Faithful where a client can go wrong: the answer holds exactly the fields the query selects
 * (an unknown field is an error); cursors are opaque base64 and one the API did not hand out is an
 * error; `first` is required and capped at `maxFirst` (a larger value gets `maxFirst` nodes and
 * hasNextPage says there is more); endCursor is null on an empty page. Errors — syntax,
 * validation, variables, cursors, injected faults — are `{errors: [...], data: null}` with HTTP 200,
 * as GraphQL-over-HTTP servers answer `application/json`; a body that is not JSON or has no query
 * is HTTP 400; a missing or wrong bearer token is HTTP 401 before any of that.
 */
import { seededRandom } from "../seeded-random.ts";
import { DEFAULT_START, toEpochMs } from "./codec.ts";
import { Countdown } from "./countdown.ts";
import {
  argumentsOf,
  badInput,
  type GraphqlError,
  project,
  type Schema,
  validateOperation,
} from "./graphql-execute.ts";
import { parseQuery, type QueryOperation, QuerySyntaxError } from "./graphql-query.ts";
import { type CommonMockOptions, type MockReply, type RecordedRequest, serveMock } from "./http-mock.ts";

/** One node of the connection. */
export interface AuditEvent {
  readonly id: string;
  readonly createdAt: string;
  readonly action: string;
  readonly actor: { readonly login: string; readonly type: string };
  readonly target: string;
}

export interface GraphqlRelayMockOptions extends CommonMockOptions {
  /** The most nodes one page holds, whatever `first` asks; default 100. */
  readonly maxFirst?: number;
}

export interface GraphqlRelayMock {
  /** Origin, e.g. `https://127.0.0.1:40123`; the endpoint is `${url}/graphql`. */
  readonly url: string;
  /** The bearer token the API accepts. */
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Every event, oldest first (the order the connection lists them). */
  readonly events: readonly AuditEvent[];
  addEvents(count: number): readonly AuditEvent[];
  /** The cursor the API hands out for an event (what `after` takes to continue behind it). */
  cursorOf(event: AuditEvent): string;
  /** After `skip` more authorised GraphQL requests, the next `count` answer HTTP 200 with this error. */
  graphqlErrorNext(count: number, message: string, skip?: number): void;
  close(): Promise<void>;
}

const SCHEMA: Schema = {
  scalars: new Set(["ID", "String", "Int", "Boolean", "DateTime"]),
  types: {
    Query: { auditEvents: { type: "AuditEventConnection", args: { first: "Int", after: "String" } } },
    AuditEventConnection: {
      edges: { type: "AuditEventEdge", list: true },
      nodes: { type: "AuditEvent", list: true },
      pageInfo: { type: "PageInfo" },
      totalCount: { type: "Int" },
    },
    AuditEventEdge: { cursor: { type: "String" }, node: { type: "AuditEvent" } },
    PageInfo: {
      hasNextPage: { type: "Boolean" },
      hasPreviousPage: { type: "Boolean" },
      startCursor: { type: "String" },
      endCursor: { type: "String" },
    },
    AuditEvent: {
      id: { type: "ID" },
      createdAt: { type: "DateTime" },
      action: { type: "String" },
      actor: { type: "Actor" },
      target: { type: "String" },
    },
    Actor: { login: { type: "String" }, type: { type: "String" } },
  },
};

const ACTIONS = ["user.login", "repo.create", "team.add_member", "org.update_member", "oauth_app.create"];

/** Starts the mock on 127.0.0.1 and resolves once it is listening. */
export async function startGraphqlRelayMock(
  options: GraphqlRelayMockOptions = {},
): Promise<GraphqlRelayMock> {
  const api = new RelayApi(options);
  const ids = seededRandom((options.seed ?? 1) ^ 0x6e1a);
  const server = await serveMock(
    { port: options.port, tls: options.tls, requestId: () => ids.hex(16) },
    (r) => api.answer(r.method, r.url.pathname, r.headers, r.body),
  );
  return {
    url: server.url,
    token: api.token,
    requests: server.requests,
    events: api.log,
    addEvents: (count) => api.addEvents(count),
    cursorOf: (event) => cursorAt(api.log.indexOf(event) + 1),
    graphqlErrorNext: (count, message, skip = 0) => api.armError(count, message, skip),
    close: () => server.close(),
  };
}

/** Cursor of the event at 1-based position `seq`: opaque to clients, as Relay asks. */
function cursorAt(seq: number): string {
  return Buffer.from(`cursor:v1:${seq}`).toString("base64");
}

class RelayApi {
  readonly token: string;
  readonly log: AuditEvent[] = [];
  readonly #errors = new Countdown<string>();
  #errorSkip = 0;
  readonly #maxFirst: number;
  readonly #random: ReturnType<typeof seededRandom>;
  #clock: number;

  constructor(options: GraphqlRelayMockOptions) {
    this.token = options.token ?? "gql_pat_3c9e71d04ab25f86";
    this.#maxFirst = options.maxFirst ?? 100;
    this.#random = seededRandom(options.seed ?? 1);
    this.#clock = toEpochMs(options.startTime ?? DEFAULT_START);
    this.addEvents(options.events ?? 0);
  }

  addEvents(count: number): readonly AuditEvent[] {
    const added: AuditEvent[] = [];
    for (let i = 0; i < count; i++) {
      // Now and then two in the same millisecond: the cursor, not the time, is the position.
      this.#clock += this.#random.int(0, 3) === 0 ? 0 : this.#random.int(500, 4000);
      const event: AuditEvent = {
        id: `AE_${(this.log.length + 1).toString(36).padStart(4, "0")}${this.#random.hex(8)}`,
        createdAt: new Date(this.#clock).toISOString(),
        action: this.#random.pick(ACTIONS),
        actor: { login: `user${this.#random.int(1, 20)}`, type: "User" },
        target: `repo-${this.#random.hex(4)}`,
      };
      this.log.push(event);
      added.push(event);
    }
    return added;
  }

  armError(count: number, message: string, skip: number): void {
    this.#errors.arm(count, message);
    this.#errorSkip = skip;
  }

  answer(method: string, path: string, headers: Record<string, unknown>, text: string): MockReply {
    if (path !== "/graphql") return { status: 404, body: { message: "Not Found" } };
    if (method !== "POST")
      return { status: 405, body: { message: "Method Not Allowed" }, headers: { allow: "POST" } };
    if (headers.authorization !== `Bearer ${this.token}`)
      return { status: 401, body: { message: "This endpoint requires you to be authenticated." } };
    let request: { query?: unknown; variables?: unknown };
    try {
      request = JSON.parse(text);
    } catch {
      return { status: 400, body: { errors: [{ message: "Problems parsing JSON" }] } };
    }
    if (typeof request?.query !== "string" || request.query.trim() === "")
      return { status: 400, body: { errors: [{ message: "Must provide query string." }] } };
    if (this.#errorSkip > 0) this.#errorSkip--;
    else {
      const injected = this.#errors.take();
      if (injected !== undefined)
        return errorsReply([{ message: injected, extensions: { code: "INTERNAL" } }]);
    }
    const variables = isObject(request.variables) ? request.variables : {};
    let operation: QueryOperation;
    try {
      operation = parseQuery(request.query);
    } catch (error) {
      if (!(error instanceof QuerySyntaxError)) throw error;
      return errorsReply([{ message: error.message, extensions: { code: "GRAPHQL_PARSE_FAILED" } }]);
    }
    const invalid = validateOperation(SCHEMA, operation, variables);
    if (invalid.length > 0) return errorsReply(invalid);
    const data: Record<string, unknown> = {};
    for (const field of operation.selections) {
      if (field.name === "__typename") {
        data[field.key] = "Query";
        continue;
      }
      const connection = this.#connection(argumentsOf(field, variables), field.key);
      if ("errors" in connection) return errorsReply(connection.errors);
      data[field.key] = project(SCHEMA, connection.value, "AuditEventConnection", field.selections);
    }
    return { status: 200, body: { data } };
  }

  #connection(
    args: Record<string, unknown>,
    key: string,
  ): { value: Record<string, unknown> } | { errors: GraphqlError[] } {
    const { first, after } = args;
    if (first === undefined || first === null)
      return failed(
        `You must provide a \`first\` or \`last\` value to properly paginate the \`${key}\` connection.`,
        key,
      );
    if (!Number.isInteger(first) || (first as number) < 0)
      return failed(`\`first\` on the \`${key}\` connection cannot be less than 0.`, key);
    let start = 0;
    if (after !== undefined && after !== null) {
      const seq = this.#position(String(after));
      if (seq === undefined) return failed(`\`${String(after)}\` does not appear to be a valid cursor.`, key);
      start = seq;
    }
    const take = Math.min(first as number, this.#maxFirst);
    const nodes = this.log.slice(start, start + take);
    const edges = nodes.map((node, i) => ({ cursor: cursorAt(start + i + 1), node }));
    const pageInfo = {
      hasNextPage: start + nodes.length < this.log.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    };
    return { value: { edges, nodes, pageInfo, totalCount: this.log.length } };
  }

  /** The 1-based position a cursor stands for, when the API handed it out. */
  #position(cursor: string): number | undefined {
    const match = /^cursor:v1:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    const seq = match ? Number(match[1]) : Number.NaN;
    return Number.isInteger(seq) && seq >= 1 && seq <= this.log.length && cursorAt(seq) === cursor
      ? seq
      : undefined;
  }
}

function failed(message: string, key: string): { errors: GraphqlError[] } {
  return { errors: [badInput(message, [key])] };
}

function errorsReply(errors: readonly GraphqlError[]): MockReply {
  return { status: 200, body: { errors, data: null } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
