// biome-ignore-all lint/correctness/noUnusedVariables: the hooks are called by the sandbox, by name
// biome-ignore-all lint/correctness/noUnusedFunctionParameters: hooks keep the documented signatures
// Andromeda Security audit events through its GraphQL API (docs/integrations/andromeda.md).
// The contract is the Rust Helr's hooks/andromeda-audit.js: a personal access token traded for a
// session cookie, the AndromedaEventsList query, offset paging (pageArgs {skip, pageSize}).
// One change: the API lists events NEWEST FIRST, so an offset saved between polls points at a
// different event as soon as new ones arrive. Every poll therefore starts at skip 0 and pages
// back until it reaches what the last poll wrote: state holds the newest event time written
// (`watermark`) and the ids written at that time (`watermark_ids`), not an offset.

const PAGE_SIZE = 50;

const QUERY =
  "query AndromedaEventsList($search: String, $pageArgs: PageArgs!) { " +
  "AndromedaEvents(filters: { eventPrimaryKey: { icontains: $search } }, pageArgs: $pageArgs) { " +
  "edges { node { id type name time actor level subtype eventPrimaryKey __typename } __typename } __typename } }";

function apiHost(ctx) {
  return ctx.env.ANDROMEDA_API_HOST || "api.live.andromedasecurity.com";
}

function eventsList(skip) {
  return {
    operationName: "AndromedaEventsList",
    variables: { search: "", pageArgs: { skip, pageSize: PAGE_SIZE } },
    query: QUERY,
  };
}

function nodesOf(response) {
  const body = response.body;
  if (!body || typeof body !== "object")
    throw new Error(`HTTP ${response.status}: the answer is not a JSON object`);
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const messages = body.errors.map((e) => e?.message || JSON.stringify(e));
    throw new Error(`Andromeda GraphQL error: ${messages.join("; ")}`);
  }
  const edges = body.data?.AndromedaEvents?.edges;
  if (!Array.isArray(edges)) throw new Error("Andromeda answered without data.AndromedaEvents.edges");
  return edges.map((edge) => edge.node || edge);
}

// Whether the last poll already wrote this event (it is at or behind the watermark).
function seen(ctx, node) {
  const watermark = ctx.state.watermark;
  if (!watermark || !node.time) return false;
  if (node.time !== watermark) return node.time < watermark;
  return (ctx.state.watermark_ids || "").split(",").includes(node.id);
}

// With ANDROMEDA_PAT: log in, sending the source's browser-like headers (the WAF wants them).
// Without it, ANDROMEDA_COOKIE (copied from a browser session) is sent by buildRequest.
async function getAuth(ctx) {
  if (!ctx.env.ANDROMEDA_PAT) return null;
  const res = await fetch(`https://${apiHost(ctx)}/login/access-key`, {
    method: "POST",
    headers: { ...ctx.headers, "Content-Type": "application/json" },
    body: JSON.stringify({ code: ctx.env.ANDROMEDA_PAT }),
  });
  if (!res.ok) throw new Error(`Andromeda login failed: HTTP ${res.status}`);
  const cookie = (res.headers.get("set-cookie") || "").split(";")[0].trim();
  if (!cookie) throw new Error("Andromeda login answered without a session cookie");
  return { cookie };
}

// The first page of every poll; getNextPage's body wins on the pages after it.
function buildRequest(ctx) {
  const headers = { "Content-Type": "application/json" };
  if (!ctx.env.ANDROMEDA_PAT && ctx.env.ANDROMEDA_COOKIE) headers.Cookie = ctx.env.ANDROMEDA_COOKIE;
  return { headers, body: eventsList(0) };
}

function parseResponse(ctx, response) {
  return nodesOf(response)
    .filter((node) => !seen(ctx, node))
    .map((node) => ({
      ts: node.time || new Date().toISOString(),
      event: node,
      meta: { id: node.id },
    }));
}

// Page back while pages are full and still newer than the watermark.
function getNextPage(ctx, request, response) {
  const nodes = nodesOf(response);
  const oldest = nodes[nodes.length - 1];
  if (nodes.length < PAGE_SIZE || !oldest || seen(ctx, oldest)) return null;
  return { body: eventsList(request.body.variables.pageArgs.skip + PAGE_SIZE) };
}

// The newest time written and the ids written at that time.
function commitState(ctx, events) {
  let watermark = ctx.state.watermark || "";
  let ids = watermark ? (ctx.state.watermark_ids || "").split(",").filter(Boolean) : [];
  for (const e of events) {
    if (e.ts > watermark) {
      watermark = e.ts;
      ids = [];
    }
    const id = e.meta && e.meta.id !== undefined ? String(e.meta.id) : "";
    if (e.ts === watermark && id && !ids.includes(id)) ids.push(id);
  }
  if (!watermark) return null;
  return { watermark, watermark_ids: ids.join(",") };
}
