/**
 * Cursor pagination and empty pages (issue 14): Google Cloud Logging answers "keep going" pages
 * with no entries and a `nextPageToken`. The Rust Helr's own `gws-audit-cloud-logging` example
 * (its pagination compiled from the reference config, unchanged) must read every entry in one
 * pass; an empty page that echoes the cursor just sent (1Password) still ends the pass.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../../compiler/ir/build-program.ts";
import { SourceFile } from "../../../compiler/source/source-file.ts";
import { parseYaml } from "../../../compiler/syntax/yaml/parse-yaml.ts";
import { defineSource } from "../../../runtime/app.ts";
import { bearerAuth } from "../../../runtime/auth/bearer.ts";
import { pollSource } from "../../../runtime/engine/poll.ts";
import { cursorPagination } from "../../../runtime/paginate/cursor.ts";
import type { CursorPaginationSpec, SourceSpec } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { type ApiServer, startApi } from "../../support/api-server.ts";
import { type CloudLoggingMock, startCloudLoggingMock } from "../../support/mocks/cloud-logging-mock.ts";
import { pollDeps, textSink } from "../../support/poll-deps.ts";

const reference = readFileSync(
  new URL("../compiler/fixtures/reference-sources.yaml", import.meta.url),
  "utf8",
);
const helrExample = buildProgram([
  parseYaml(new SourceFile("reference.yaml", reference)).document,
]).sources.find((s) => s.id === "gws-audit-cloud-logging") as SourceSpec;

let logging: CloudLoggingMock;
beforeAll(async () => {
  logging = await startCloudLoggingMock({ events: 1100, seed: 7, emptyPageEvery: 2 });
});
afterAll(async () => logging?.close());

describe("the Rust Helr's gws-audit-cloud-logging example", () => {
  it("keeps its defaults: cursor paging that does not stop on an empty page", () => {
    expect(helrExample.pagination).toMatchObject({
      strategy: "cursor",
      cursorParam: "pageToken",
      cursorPath: "nextPageToken",
      stop: { onEmptyPage: false },
    });
  });

  it("reads all 1,100 entries in one pass through the empty pages", async () => {
    const spec = {
      ...helrExample,
      url: logging.listUrl,
      // The mock's project and a filter it understands; the paging settings are the example's.
      body: { resourceNames: [logging.resourceName], orderBy: "timestamp asc", pageSize: 100 },
      auth: { type: "bearer", token: { env: "TOKEN" }, prefix: "Bearer" } as const,
    };
    const sink = textSink();
    const source = defineSource(spec, {
      auth: bearerAuth,
      pagination: (p) => cursorPagination(p as CursorPaginationSpec),
    });
    const summary = await pollSource(
      source,
      pollDeps({ store: await memoryStore({ path: "" }), sink, env: { TOKEN: logging.token } }),
    );
    const ids = sink.text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line).event.insertId);
    expect(new Set(ids).size).toBe(1100);
    expect(ids).toHaveLength(1100);
    expect(summary.stopReason).toBe("end");
    // Every other answer was an empty page with a token.
    expect(summary.pages).toBeGreaterThan(20);
  });
});

describe("an empty page that echoes the cursor just sent", () => {
  let api: ApiServer;
  beforeAll(async () => {
    // 1Password style: a page of events, then nothing new, with the same cursor handed back.
    api = await startApi((req, base) => {
      const cursor = JSON.parse(req.body || "{}").cursor as string | undefined;
      return cursor === undefined
        ? { json: { items: [{ uuid: "a" }], cursor: "c1", has_more: true } }
        : { json: { items: [], cursor, has_more: true }, headers: { "x-base": base } };
    });
  });
  afterAll(async () => api?.close());

  it("ends the pass and keeps the cursor for the next poll", async () => {
    const pagination: CursorPaginationSpec = {
      strategy: "cursor",
      cursorParam: "cursor",
      cursorPath: "cursor",
      maxPages: 100,
      stop: { onEmptyPage: false, onShortPage: false },
    };
    const spec: SourceSpec = { ...helrExample, url: `${api.url}/events`, body: {}, pagination };
    const { auth: _none, ...unauthenticated } = spec;
    const store = await memoryStore({ path: "" });
    const summary = await pollSource(
      defineSource(unauthenticated, { pagination: (p) => cursorPagination(p as CursorPaginationSpec) }),
      pollDeps({ store, sink: textSink() }),
    );
    expect(api.requests).toHaveLength(2);
    expect(summary.stopReason).toBe("empty_page");
    expect((await store.read(spec.id)).cursor).toBe("c1");
  });
});
