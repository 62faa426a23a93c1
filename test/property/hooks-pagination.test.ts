import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BoundSource, defineSource } from "../../runtime/app.ts";
import { closeHookRunners } from "../../runtime/engine/hook-stages.ts";
import { pollSource } from "../../runtime/engine/poll.ts";
import { hookScript } from "../../runtime/hooks/binding.ts";
import type { HttpSend } from "../../runtime/http/client.ts";
import type { Sink } from "../../runtime/output/sink.ts";
import { singleRequest } from "../../runtime/paginate/single.ts";
import { memoryStore } from "../../runtime/state/memory.ts";
import type { StateStore } from "../../runtime/state/store.ts";
import { BASE, ModelApi, type ModelStyle } from "../support/model-api.ts";
import { pollDeps } from "../support/poll-deps.ts";
import { sinkText } from "../support/sink-text.ts";
import { sourceSpec, transform } from "../support/source-spec.ts";
import { jsScript } from "../unit/hooks/support.ts";

/**
 * Model-based, for a source paged by its hook script (issue 20): the script builds the first
 * request from the position commitState stored, pages by itself (getNextPage reads the offset,
 * body cursor or Link header of the response) and parses the events. Against the model paged API
 * with events arriving between polls, collector restarts (a new sandbox over the same store),
 * crashes and 503s mid-pass, the lines written over several polls are the model's events, each
 * exactly once, in order. Without dedupe, and without failures, commitState alone must get it
 * right; with failures a page may be fetched again and dedupe (on the script's meta.id) drops it.
 */

/** The model styles a script pages through, and how: the position is always the last seq written. */
type HookStyle = Extract<ModelStyle, "offset" | "cursor-body-has-more" | "link-bounded">;
const STYLES: readonly HookStyle[] = ["offset", "cursor-body-has-more", "link-bounded"];

const COMMIT = `
function commitState(ctx, events) {
  if (events.length === 0) return null;
  return { after: String(events[events.length - 1].event.seq) };
}
function parseResponse(ctx, response) {
  var body = response.body;
  var items = Array.isArray(body) ? body : body.items || body.data;
  return items.map(function (e) { return { ts: new Date(e.date_create * 1000).toISOString(), event: e, meta: { id: e.id } }; });
}
function after(ctx) { return Number(ctx.state.after || 0); }
`;

/** The script for `style`, with `page` events a page (the model pages the other styles itself). */
function scriptFor(style: HookStyle, page: number): string {
  switch (style) {
    case "offset":
      // since=0: the offset is the index in the whole log, so seq n sits at offset n - 1.
      return `${COMMIT}
var PAGE = ${page};
function buildRequest(ctx) {
  return { url: "${BASE}?since=0&limit=" + PAGE + "&offset=" + after(ctx) };
}
function getNextPage(ctx, request, response) {
  if (response.body.data.length < PAGE) return null;
  var offset = Number(/[?&]offset=(\\d+)/.exec(request.url)[1]) + PAGE;
  return { url: "${BASE}?since=0&limit=" + PAGE + "&offset=" + offset };
}`;
    case "cursor-body-has-more":
      return `${COMMIT}
function buildRequest(ctx) { return { body: { cursor: after(ctx) } }; }
function getNextPage(ctx, request, response) {
  return response.body.has_more ? { body: { cursor: response.body.cursor } } : null;
}`;
    case "link-bounded":
      return `${COMMIT}
function buildRequest(ctx) { return { url: "${BASE}?after=" + after(ctx) }; }
function getNextPage(ctx, request, response) {
  var m = /<([^>]+)>;\\s*rel="next"/.exec(response.headers.link || "");
  return m ? { url: m[1] } : null;
}`;
  }
}

const SETTINGS = {
  enabled: true,
  timeoutMs: 2_000,
  memoryLimitMb: 32,
  allowNetwork: false,
  authCacheTtlSecs: 0,
};

function sourceFor(style: HookStyle, code: string, dedupe: boolean): BoundSource {
  const spec = sourceSpec(
    { strategy: "single" },
    {
      id: "hooked",
      url: BASE,
      method: style === "cursor-body-has-more" ? "post" : "get",
      transform: transform({ idField: "id" }),
      ...(dedupe ? { dedupe: { idPath: "id", capacity: 10_000 } } : {}),
      hooks: { allowHosts: [], script: jsScript(code), settings: SETTINGS },
    },
  );
  return defineSource(spec, { pagination: singleRequest, hooks: hookScript });
}

/** One collector process at a time over a store that survives restarts; a sink that keeps lines. */
class Harness {
  readonly lines: string[] = [];
  source: BoundSource;
  /** Requests from now on that answer 503 (a failing gateway), counted down. */
  private failIn: number | undefined;
  private readonly sink: Sink = {
    write: async (text) => void this.lines.push(...sinkText(text).split("\n").filter(Boolean)),
    flush: async () => {},
    close: async () => {},
  };

  constructor(
    readonly api: ModelApi,
    readonly store: StateStore,
    readonly code: string,
    readonly dedupe: boolean,
  ) {
    this.source = sourceFor(api.style as HookStyle, code, dedupe);
  }

  /** A new process: a new sandbox evaluates the script again; the old one is disposed. */
  async restart(): Promise<void> {
    await closeHookRunners([this.source]);
    this.source = sourceFor(this.api.style as HookStyle, this.code, this.dedupe);
  }

  /** The `n`-th request from now answers 503. */
  failAfter(n: number): void {
    this.failIn = n;
  }

  private readonly send: HttpSend = async (req) => {
    if (this.failIn !== undefined && --this.failIn <= 0) {
      this.failIn = undefined;
      const headers = new Map([["content-type", ["application/json"]]]);
      return { status: 503, headers, body: Buffer.from('{"error":"busy"}'), url: req.url };
    }
    return this.api.send(req);
  };

  async poll(): Promise<number> {
    const deps = pollDeps({ store: this.store, sink: this.sink, http: this.send, now: () => this.api.now() });
    const summary = await pollSource(this.source, deps);
    return summary.pages;
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
const poll: Cmd = { check: () => true, run: async (_m, h) => void (await h.poll()), toString: () => "poll" };
const restart: Cmd = { check: () => true, run: (_m, h) => h.restart(), toString: () => "restart" };
/** The k-th request of the next poll dies (a crashed process), and the collector restarts. */
const crash = (k: number): Cmd => ({
  check: () => true,
  run: async (_m, h) => {
    h.api.crashAfter(k);
    await h.poll().catch(() => undefined);
    h.api.crashAfter(Number.POSITIVE_INFINITY);
    await h.restart();
  },
  toString: () => `crash-on-request(${k})`,
});
/** The k-th request of the next poll answers 503: that poll fails, the process keeps running. */
const unavailable = (k: number): Cmd => ({
  check: () => true,
  run: async (_m, h) => {
    h.failAfter(k);
    await h.poll().catch(() => undefined);
    h.failAfter(Number.POSITIVE_INFINITY);
  },
  toString: () => `503-on-request(${k})`,
});

const quiet = [fc.integer({ min: 0, max: 5 }).map(add), fc.constant(poll), fc.constant(restart)];
const failing = [
  ...quiet,
  fc.integer({ min: 1, max: 4 }).map(crash),
  fc.integer({ min: 1, max: 4 }).map(unavailable),
];

/** Runs `cmds`, then polls until a poll finds nothing new, and checks what was written. */
async function check(style: HookStyle, page: number, dedupe: boolean, cmds: Iterable<Cmd>): Promise<void> {
  const api = new ModelApi(style, page);
  const harness = new Harness(api, await memoryStore({ path: "" }), scriptFor(style, page), dedupe);
  try {
    await fc.asyncModelRun(() => ({ model: {}, real: harness }), cmds);
    api.add(1);
    // At most 100 pages a poll (HOOK_MAX_PAGES): a few polls catch up with any backlog here.
    for (let i = 0; i < 4; i++) await harness.poll();
    expect(harness.ids()).toEqual(api.events.map((e) => e.id));
  } finally {
    await closeHookRunners([harness.source]);
  }
}

describe("a source paged by its hooks against a model API (property)", () => {
  for (const style of STYLES) {
    it(`${style}: commitState's position alone loses and repeats nothing across polls and restarts`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.commands(quiet, { maxCommands: 20 }),
          (page, cmds) => check(style, page, false, cmds),
        ),
        { numRuns: 20 },
      );
    });

    it(`${style}: with crashes and 503s mid-pass, dedupe on meta.id keeps every event exactly once, in order`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.commands(failing, { maxCommands: 20 }),
          (page, cmds) => check(style, page, true, cmds),
        ),
        { numRuns: 20 },
      );
    });
  }
});
