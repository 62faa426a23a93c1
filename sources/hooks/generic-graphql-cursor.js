// biome-ignore-all lint/correctness/noUnusedVariables: the hooks are called by the sandbox, by name
// biome-ignore-all lint/correctness/noUnusedFunctionParameters: hooks keep the documented signatures
// Template: a GraphQL API that pages a Relay connection forward with `first` / `after` and
// `pageInfo { hasNextPage endCursor }` (docs/integrations/graphql-cursor.md). The source
// (generic-graphql-cursor.yaml) POSTs what buildRequest builds, with its bearer token; these hooks
// read the nodes, follow endCursor while hasNextPage, and store the last endCursor written, so the
// next poll asks only for what came after it.
//
// The connection has to list events OLDEST FIRST (an append-only log, or an ascending `orderBy`):
// new events then come after the stored cursor. For a newest-first list, see andromeda-audit.js.

// ---- Adapt these to your API ---------------------------------------------------------------
// The query: declare $first and $after, pass them to the connection, and select the nodes
// (`edges { node { … } }` or `nodes { … }`) and `pageInfo { hasNextPage endCursor }`. Only the
// fields selected here are written.
const QUERY = `query AuditEvents($first: Int!, $after: String) {
  auditEvents(first: $first, after: $after) {
    edges { node { id createdAt action actor { login } target } }
    pageInfo { hasNextPage endCursor }
  }
}`;
// Dotted path from `data` to the connection, e.g. "organization.auditLog".
const CONNECTION = "auditEvents";
// `first`: nodes per page. APIs cap it (often at 100); hasNextPage, not the count, ends a poll.
const PAGE_SIZE = 100;
// The node fields that become each line's `ts` and `meta.id` (the id is the dedupe key too).
const TIME_FIELD = "createdAt";
const ID_FIELD = "id";
// ----------------------------------------------------------------------------------------------

// The state key that holds the last endCursor written.
const STATE_KEY = "end_cursor";

// Each page's endCursor, under the id of the page's last node. commitState receives the events
// that were written, not the pages, so the cursor it stores is the one of the last page whose
// final event was written: never a cursor past an event that was not. The sandbox keeps
// top-level values between calls; the cap only bounds what polls that failed leave behind.
const pageEnds = new Map();
const MAX_PAGE_ENDS = 1000;

function requestBody(after) {
  return { query: QUERY, variables: { first: PAGE_SIZE, after: after || null } };
}

// The connection in a page; GraphQL reports errors in `errors`, often with HTTP 200.
function connectionOf(response) {
  const body = response.body;
  if (!body || typeof body !== "object")
    throw new Error(`HTTP ${response.status}: the answer is not a JSON object`);
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const messages = body.errors.map((e) => e?.message || JSON.stringify(e));
    throw new Error(`GraphQL error: ${messages.join("; ")}`);
  }
  let connection = body.data;
  for (const key of CONNECTION.split(".")) connection = connection?.[key];
  if (!connection || typeof connection !== "object") throw new Error(`the answer has no data.${CONNECTION}`);
  const list = Array.isArray(connection.edges) ? connection.edges.map((e) => e?.node) : connection.nodes;
  if (!Array.isArray(list)) throw new Error(`data.${CONNECTION} has neither edges nor nodes`);
  const pageInfo = connection.pageInfo;
  if (!pageInfo || typeof pageInfo !== "object")
    throw new Error(`data.${CONNECTION} has no pageInfo: select pageInfo { hasNextPage endCursor }`);
  return { nodes: list.filter((node) => node && typeof node === "object"), pageInfo };
}

// The first page of a poll: after the stored cursor (none on the first run: the oldest events).
// buildRequest runs before every page, but getNextPage's body wins on the pages after the first.
function buildRequest(ctx) {
  return { body: requestBody(ctx.state[STATE_KEY]) };
}

function parseResponse(ctx, response) {
  const { nodes, pageInfo } = connectionOf(response);
  const last = nodes[nodes.length - 1];
  if (last && last[ID_FIELD] !== undefined && pageInfo.endCursor) {
    pageEnds.set(String(last[ID_FIELD]), pageInfo.endCursor);
    if (pageEnds.size > MAX_PAGE_ENDS) pageEnds.delete(pageEnds.keys().next().value);
  }
  return nodes.map((node) => ({
    ts: typeof node[TIME_FIELD] === "string" ? node[TIME_FIELD] : "",
    event: node,
    meta: node[ID_FIELD] !== undefined ? { id: node[ID_FIELD] } : {},
  }));
}

function getNextPage(ctx, request, response) {
  const { pageInfo } = connectionOf(response);
  if (pageInfo.hasNextPage !== true) return null;
  if (typeof pageInfo.endCursor !== "string" || pageInfo.endCursor === "")
    throw new Error(
      "pageInfo.hasNextPage is true but endCursor is empty: select pageInfo { hasNextPage endCursor }",
    );
  return { body: requestBody(pageInfo.endCursor) };
}

// After the poll's last page was written: the endCursor of the last page written in full.
// No such page (nothing new) leaves the stored cursor as it is.
function commitState(ctx, events) {
  let cursor;
  for (let i = events.length - 1; i >= 0 && cursor === undefined; i--) {
    const id = events[i].meta?.id;
    if (id !== undefined) cursor = pageEnds.get(String(id));
  }
  pageEnds.clear();
  return cursor === undefined ? null : { [STATE_KEY]: cursor };
}
