/**
 * The generic GraphQL cursor template (issue 20, point 4): sources/generic-graphql-cursor.yaml and
 * its hook script built unchanged — with the one-line `global:` a user's config adds to enable
 * hooks — and run against an HTTPS mock of a Relay-style API (test/support/mocks/graphql-relay-mock.ts).
 * The query pages with `first`/`after` while pageInfo.hasNextPage (getNextPage's body winning over
 * buildRequest's), every event is written once, the last endCursor is stored only after the poll's
 * events are written, the next run resumes after it, and a GraphQL error in a 200 body fails the
 * poll naming the source and the hook, leaving the cursor where it was.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/bundle.ts";
import {
  buildCatalogSource,
  type CatalogBundle,
  type CatalogPki,
  catalogIr,
  catalogPki,
} from "../support/catalog.ts";
import {
  type AuditEvent,
  type GraphqlRelayMock,
  startGraphqlRelayMock,
} from "../support/mocks/graphql-relay-mock.ts";
import type { RecordedRequest } from "../support/mocks/http-mock.ts";

const ID = "generic-graphql-cursor";
const YAML = `sources/${ID}.yaml`;
const HELR = `sources-helr/${ID}.helr`;
const SCRIPT = `sources/hooks/${ID}.js`;
/** What the template asks a config to add, since a config has one `global:` block. */
const GLOBAL = "global:\n  hooks:\n    enabled: true\n";
/** Nodes per page the mock hands out, below the template's `first: 100`. */
const MAX_FIRST = 50;

let pki: CatalogPki;
let mock: GraphqlRelayMock;
let bundle: CatalogBundle;
beforeAll(async () => {
  pki = catalogPki();
  mock = await startGraphqlRelayMock({ tls: pki.tls, events: 120, seed: 7, maxFirst: MAX_FIRST });
  bundle = await buildCatalogSource(YAML, pki, { "global.yaml": GLOBAL });
});
afterAll(async () => {
  bundle?.remove();
  await mock?.close();
  pki?.cleanup();
});

const env = (token = mock.token) => ({ EVENTS_API_HOST: new URL(mock.url).host, EVENTS_API_TOKEN: token });
const sent = (request: RecordedRequest) =>
  JSON.parse(request.body) as { query: string; variables: { first: number; after: string | null } };
const afters = (from: number) => mock.requests.slice(from).map((request) => sent(request).variables.after);
/** An event as the template's query selects it: `actor { login }`, not the actor's `type`. */
const selected = (event: AuditEvent) => ({ ...event, actor: { login: event.actor.login } });
const cursor = async () => (await bundle.state())[ID]?.end_cursor;

describe(ID, () => {
  it("compiles with no diagnostics under --strict, to the same IR as its .helr twin, all shown in the guide", () => {
    const fromYaml = catalogIr(YAML);
    expect(fromYaml.diagnostics).toEqual([]);
    expect(catalogIr(HELR)).toEqual(fromYaml);
    const guide = readFileSync(join(ROOT, "docs/integrations/graphql-cursor.md"), "utf8");
    for (const file of [YAML, HELR, SCRIPT])
      expect(guide).toContain(`\n${readFileSync(join(ROOT, file), "utf8")}\`\`\``);
  });

  it("pages with first/after while hasNextPage and writes every event once, in order", async () => {
    const from = mock.requests.length;
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${ID}: ok — 3 requests, 120 events, stopped: end`);
    expect(run.lines.map((line) => line.event)).toEqual(mock.events.map(selected));
    for (const line of run.lines) {
      expect(line.ts).toBe(line.event.createdAt);
      expect(line.meta.id).toBe(line.event.id);
      expect(line.source).toBe(ID);
    }
    // The API capped `first` at 50: hasNextPage, not a short page, ended the poll.
    const pages = mock.requests.slice(from);
    expect(afters(from)).toEqual([
      null,
      mock.cursorOf(mock.events[49] as AuditEvent),
      mock.cursorOf(mock.events[99] as AuditEvent),
    ]);
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.headers.authorization).toBe(`Bearer ${mock.token}`);
      expect(page.headers["content-type"]).toBe("application/json");
      expect(sent(page).variables.first).toBe(100);
      expect(sent(page).query).toContain("pageInfo { hasNextPage endCursor }");
    }
    expect(await cursor()).toBe(mock.cursorOf(mock.events[119] as AuditEvent));
    const state = JSON.stringify(await bundle.state());
    for (const text of [state, run.stdout, run.stderr]) expect(text).not.toContain(mock.token);
  });

  it("resumes after the stored cursor: only the events added since, then an idle poll that keeps it", async () => {
    const stored = await cursor();
    const added = mock.addEvents(70);
    const from = mock.requests.length;
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines.map((line) => line.event)).toEqual(added.map(selected));
    expect(afters(from)).toEqual([stored, mock.cursorOf(added[49] as AuditEvent)]);
    expect(await cursor()).toBe(mock.cursorOf(added[69] as AuditEvent));

    // Nothing new: an empty page whose endCursor is null, and the cursor stays.
    const idleFrom = mock.requests.length;
    const idle = await bundle.run(["run", "--once"], env());
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.lines).toEqual([]);
    expect(afters(idleFrom)).toEqual([mock.cursorOf(added[69] as AuditEvent)]);
    expect(await cursor()).toBe(mock.cursorOf(added[69] as AuditEvent));
  });

  it("fails the poll on a GraphQL error in a 200 body, naming the source and the hook, and leaves state as it was", async () => {
    const before = await bundle.state();
    const added = mock.addEvents(3);
    mock.graphqlErrorNext(1, "Something went wrong while executing your query.");
    const run = await bundle.run(["run", "--once"], env());
    expect(run.code).not.toBe(0);
    const script = readFileSync(join(ROOT, SCRIPT), "utf8").split("\n");
    const line = script.findIndex((text) => text.includes("throw new Error(`GraphQL error")) + 1;
    expect(run.stderr).toContain(
      `${ID}: FAILED — source "${ID}": hook parseResponse threw Error: GraphQL error: Something went wrong while executing your query. (at hooks/${ID}.js:${line}:`,
    );
    expect(run.lines).toEqual([]);
    expect(await bundle.state()).toEqual(before);

    const next = await bundle.run(["run", "--once"], env());
    expect(next.code, next.stderr).toBe(0);
    expect(next.lines.map((line) => line.event)).toEqual(added.map(selected));
  });

  it("keeps the cursor when a later page fails; the next poll re-reads the written page without repeating it", async () => {
    const stored = await cursor();
    const added = mock.addEvents(80);
    mock.graphqlErrorNext(1, "Timeout on validation of query", 1);
    const failed = await bundle.run(["run", "--once"], env());
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(
      "hook parseResponse threw Error: GraphQL error: Timeout on validation of query",
    );
    // The first page was written; the cursor is stored only when a poll ends.
    expect(failed.lines.map((line) => line.event)).toEqual(added.slice(0, MAX_FIRST).map(selected));
    expect(await cursor()).toBe(stored);

    const from = mock.requests.length;
    const next = await bundle.run(["run", "--once"], env());
    expect(next.code, next.stderr).toBe(0);
    expect(afters(from)).toEqual([stored, mock.cursorOf(added[MAX_FIRST - 1] as AuditEvent)]);
    expect(next.lines.map((line) => line.event)).toEqual(added.slice(MAX_FIRST).map(selected));
    expect(await cursor()).toBe(mock.cursorOf(added[79] as AuditEvent));
  });

  it("reports a refused token with the API's status and message", async () => {
    const run = await bundle.run(["run", "--once"], env("gql_pat_revoked"));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /source "generic-graphql-cursor": POST https:\/\/127\.0\.0\.1:\d+\/graphql returned HTTP 401: \{"message":"This endpoint requires you to be authenticated\."/,
    );
    expect(run.stderr).not.toContain("gql_pat_revoked");
  });
});
