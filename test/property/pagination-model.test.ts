import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BoundSource, defineSource } from "../../runtime/app.ts";
import { pollSource } from "../../runtime/engine/poll.ts";
import type { Sink } from "../../runtime/output/sink.ts";
import { cursorPagination } from "../../runtime/paginate/cursor.ts";
import { linkHeaderPagination } from "../../runtime/paginate/link-header-paginator.ts";
import { offsetPagination, pageOffsetPagination } from "../../runtime/paginate/offset.ts";
import { timeWindowPagination } from "../../runtime/paginate/time-window.ts";
import { memoryStore } from "../../runtime/state/memory.ts";
import type { StateStore } from "../../runtime/state/store.ts";
import { BASE, ModelApi, type ModelStyle } from "../support/model-api.ts";
import { pollDeps } from "../support/poll-deps.ts";
import { sinkText } from "../support/sink-text.ts";
import { sourceSpec, transform } from "../support/source-spec.ts";

/**
 * Model-based: against a model of each paging style, with events arriving between polls and
 * the collector restarting or crashing mid-pass at random points, every event is written,
 * none twice (dedupe on), and no poll makes more than max_pages requests.
 */
const MAX_PAGES = 3;
const PAGE = 2;
const dedupe = { idPath: "id", capacity: 10_000 };
const watermark = {
  stateKey: "mark",
  eventPath: "date_create",
  location: "query",
  format: "raw",
  overlapSecs: 0,
} as const;
const stop = { onEmptyPage: true, onShortPage: false } as const;

function sourceFor(style: ModelStyle): BoundSource {
  const common = { id: "model", url: BASE, dedupe, transform: transform({ idField: "id" }) };
  switch (style) {
    case "link-polling":
    case "link-bounded": {
      const spec = sourceSpec({ strategy: "link_header", rel: "next", maxPages: MAX_PAGES, stop }, common);
      return defineSource(spec, { pagination: linkHeaderPagination });
    }
    case "cursor-newest-first": {
      const pagination = {
        strategy: "cursor",
        cursorParam: "cursor",
        cursorPath: "response_metadata.next_cursor",
        maxPages: MAX_PAGES,
        stop: { ...stop, onEmptyPage: false },
      } as const;
      const spec = sourceSpec(pagination, {
        ...common,
        queryParams: { limit: String(PAGE) },
        watermark: { ...watermark, param: "oldest" },
      });
      return defineSource(spec, { pagination: cursorPagination });
    }
    case "cursor-body-has-more": {
      const pagination = {
        strategy: "cursor",
        cursorParam: "cursor",
        cursorPath: "cursor",
        maxPages: MAX_PAGES,
        stop: { ...stop, hasMorePath: "has_more" },
      } as const;
      const spec = sourceSpec(pagination, { ...common, method: "post", body: { limit: PAGE } });
      return defineSource(spec, { pagination: cursorPagination });
    }
    case "offset": {
      const pagination = {
        strategy: "offset",
        offsetParam: "offset",
        limitParam: "limit",
        limit: PAGE,
        maxPages: MAX_PAGES,
        stop: { onEmptyPage: true, onShortPage: true },
      } as const;
      const spec = sourceSpec(pagination, { ...common, watermark: { ...watermark, param: "since" } });
      return defineSource(spec, { pagination: offsetPagination });
    }
    case "page": {
      const pagination = {
        strategy: "page_offset",
        pageParam: "page",
        limitParam: "limit",
        limit: PAGE,
        firstPage: 1,
        maxPages: MAX_PAGES,
        stop: { onEmptyPage: true, onShortPage: true },
      } as const;
      const spec = sourceSpec(pagination, { ...common, watermark: { ...watermark, param: "since" } });
      return defineSource(spec, { pagination: pageOffsetPagination });
    }
    case "time-window": {
      const pagination = {
        strategy: "time_window",
        startParam: "start",
        endParam: "end",
        format: "rfc3339",
        lagSecs: 0,
        maxWindowSecs: 40,
        initialLookbackSecs: 1_000,
        maxPages: MAX_PAGES,
      } as const;
      return defineSource(sourceSpec(pagination, common), { pagination: timeWindowPagination });
    }
  }
}

/** The collector process: a store that survives restarts, a sink that collects lines. */
class Harness {
  readonly lines: string[] = [];
  source: BoundSource;
  private readonly sink: Sink = {
    write: async (text) => void this.lines.push(...sinkText(text).split("\n").filter(Boolean)),
    flush: async () => {},
    close: async () => {},
  };

  constructor(
    readonly api: ModelApi,
    readonly store: StateStore,
  ) {
    this.source = sourceFor(api.style);
  }

  restart(): void {
    this.source = sourceFor(this.api.style);
  }

  async poll(): Promise<void> {
    const deps = pollDeps({
      store: this.store,
      sink: this.sink,
      http: this.api.send,
      now: () => this.api.now(),
    });
    const before = this.api.requests;
    try {
      await pollSource(this.source, deps);
    } finally {
      expect(this.api.requests - before).toBeLessThanOrEqual(MAX_PAGES);
    }
  }

  ids(): string[] {
    return this.lines.map((line) => (JSON.parse(line) as { event: { id: string } }).event.id);
  }
}

type Cmd = fc.AsyncCommand<object, Harness>;
const add = (n: number): Cmd => ({
  check: () => true,
  run: async (_m, h) => h.api.add(n),
  toString: () => `add(${n})`,
});
const poll: Cmd = { check: () => true, run: async (_m, h) => h.poll(), toString: () => "poll" };
const restart: Cmd = { check: () => true, run: async (_m, h) => h.restart(), toString: () => "restart" };
const crash = (k: number): Cmd => ({
  check: () => true,
  run: async (_m, h) => {
    h.api.crashAfter(k);
    await h.poll().catch(() => undefined);
    h.api.crashAfter(Number.POSITIVE_INFINITY);
    h.restart();
  },
  toString: () => `crash-on-request(${k})`,
});

const commands = fc.commands(
  [
    fc.integer({ min: 0, max: 5 }).map(add),
    fc.constant(poll),
    fc.constant(restart),
    fc.integer({ min: 1, max: 3 }).map(crash),
  ],
  { maxCommands: 25 },
);

const STYLES: ModelStyle[] = [
  "link-polling",
  "link-bounded",
  "cursor-newest-first",
  "cursor-body-has-more",
  "offset",
  "page",
  "time-window",
];

describe("pagination against a model API (property)", () => {
  for (const style of STYLES) {
    it(`${style}: no event lost, none written twice, every poll bounded`, async () => {
      await fc.assert(
        fc.asyncProperty(commands, async (cmds) => {
          const api = new ModelApi(style, PAGE);
          const harness = new Harness(api, await memoryStore({ path: "" }));
          await fc.asyncModelRun(() => ({ model: {}, real: harness }), cmds);
          for (let i = 0; i < 40; i++) {
            if (i % 7 === 6) api.add(1);
            await harness.poll();
          }
          const ids = harness.ids();
          expect(new Set(ids).size).toBe(ids.length);
          expect([...ids].sort()).toEqual(api.events.map((e) => e.id).sort());
        }),
        { numRuns: 60 },
      );
    });
  }
});
