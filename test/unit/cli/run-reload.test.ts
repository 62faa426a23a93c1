/**
 * BundleReloader against RunningSources with a real schedule set: what a reload does to each
 * source (unchanged ones keep their loop and drop tokens, changed ones stop after their poll in
 * flight and restart, removed ones stop, added ones start), restart_sources_on_sighup, and the
 * refusals (another helrc version, adding a source under replicas, a failing load, shutdown).
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { App, BoundSource } from "../../../runtime/app.ts";
import type { Prepared } from "../../../runtime/cli/run.ts";
import { BundleReloader, type ReloaderDeps } from "../../../runtime/cli/run-reload.ts";
import { type Running, RunningSources } from "../../../runtime/cli/run-sources.ts";
import type { PollDeps } from "../../../runtime/engine/poll.ts";
import { createScheduleSet } from "../../../runtime/engine/schedule-set.ts";
import { sleep } from "../../../runtime/engine/scheduler.ts";
import type { SourceSpec } from "../../../runtime/spec.ts";

interface Fake extends BoundSource {
  readonly resets: number[];
}

function fake(id: string, version = 1): Fake {
  const resets: number[] = [];
  return {
    spec: {
      id,
      origin: `f${version}.yaml`,
      version,
      schedule: { intervalSecs: 3600, jitterSecs: 0 },
    } as unknown as SourceSpec,
    paginator: undefined as never,
    auth: { authorize: async () => [], reset: () => void resets.push(Date.now()) } as never,
    resets,
  };
}

const app = (sources: BoundSource[], extra: Partial<App> = {}): App =>
  ({
    version: "0.1.0",
    global: { state: { backend: "sqlite" } },
    sources,
    stores: {},
    ...extra,
  }) as unknown as App;

function setup(start: BoundSource[], deps: Partial<ReloaderDeps> & { next: () => App }) {
  const stop = new AbortController();
  const polls: string[] = [];
  /** Held open while true: a poll "in flight" until released. */
  const gates = new Map<string, () => void>();
  const schedule = createScheduleSet<Running>(async (r) => void (await r.poll()), {
    signal: stop.signal,
    random: () => 0,
    sleep,
  });
  const sources = new RunningSources({
    prepare: async (source, d) => {
      return { source, deps: d } as Prepared;
    },
    deps: { stopping: () => stop.signal.aborted } as unknown as PollDeps,
    poll: async (p) => {
      const tag = `${p.source.spec.id}@${(p.source.spec as unknown as { version: number }).version}`;
      polls.push(`start ${tag}`);
      if (gates.has(p.source.spec.id)) await new Promise<void>((r) => gates.set(p.source.spec.id, r));
      polls.push(`end ${tag}${p.deps.stopping() ? " (stopping)" : ""}`);
      return { events: 0, pages: 0, requests: 0 } as never;
    },
    schedule,
  });
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const reloader = new BundleReloader({
    bundlePath: "/opt/helr/helr.js",
    app: app(start),
    sources,
    selected: [],
    replicas: false,
    stopping: () => stop.signal.aborted,
    applied: () => {},
    log,
    load: async () => deps.next(),
    ...deps,
  });
  return {
    sources,
    reloader,
    polls,
    lines,
    hold: (id: string) => gates.set(id, () => {}),
    release: (id: string) => {
      const open = gates.get(id);
      gates.delete(id);
      open?.();
    },
    stop: async () => {
      stop.abort();
      await schedule.done();
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 10));

describe("BundleReloader", () => {
  it("keeps unchanged sources' loops (tokens dropped), restarts changed ones after their poll, stops removed, starts added", async () => {
    const [keep, change, drop] = [fake("keep"), fake("change"), fake("drop")];
    const t = setup([keep, change, drop], { next: () => app([keep, fake("change", 2), fake("added", 2)]) });
    await t.sources.add([keep, change, drop]);
    t.hold("change");
    t.sources.schedule();
    await flush();
    expect(t.polls.sort()).toEqual([
      "end drop@1",
      "end keep@1",
      "start change@1",
      "start drop@1",
      "start keep@1",
    ]);
    t.polls.length = 0;
    const reloading = t.reloader.reload({ via: "api", remote: "127.0.0.1" });
    await flush();
    // The changed source's poll is still in flight: the reload waits for it, and a second one is busy.
    expect(await t.reloader.reload({ via: "sighup" })).toBe("busy");
    expect(t.polls).toEqual([]);
    t.release("change");
    const outcome = await reloading;
    expect(outcome).toEqual({
      ok: true,
      added: ["added"],
      removed: ["drop"],
      changed: ["change"],
      unchanged: ["keep"],
      restart_needed: [],
    });
    await flush();
    // The old poll ended at its page boundary (stopping), then the new version and the added source polled.
    expect(t.polls[0]).toBe("end change@1 (stopping)");
    expect(t.polls.slice(1).sort()).toEqual([
      "end added@2",
      "end change@2",
      "start added@2",
      "start change@2",
    ]);
    expect(keep.resets).toHaveLength(1);
    expect(t.sources.sources.map((s) => s.spec.id)).toEqual(["keep", "change", "added"]);
    expect(t.sources.get("keep")?.prepared.source).toBe(keep);
    expect(t.reloader.app.sources.map((s) => s.spec.id)).toEqual(["keep", "change", "added"]);
    expect(t.lines.find((l) => l.msg === "reload: applied")).toMatchObject({
      trigger: "api",
      remote: "127.0.0.1",
    });
    await t.stop();
  });

  it("restart_sources_on_sighup restarts every source from the new bundle", async () => {
    const keep = fake("keep");
    const next = fake("keep");
    const t = setup([keep], {
      next: () => app([next], { global: { reload: { restartSourcesOnSighup: true } } as never }),
    });
    await t.sources.add([keep]);
    t.sources.schedule();
    await flush();
    const outcome = await t.reloader.reload({ via: "sighup" });
    expect(outcome).toMatchObject({ ok: true, changed: ["keep"], unchanged: [] });
    expect(t.sources.get("keep")?.prepared.source).toBe(next);
    await t.stop();
  });

  it("a changed global.hooks restarts the sources with hooks, and leaves the others", async () => {
    const plain = fake("plain");
    const hooked = { ...fake("hooked"), hooks: {} as never };
    const hookedNext = { ...fake("hooked"), hooks: {} as never };
    const t = setup([plain, hooked], {
      app: app([plain, hooked], { global: { hooks: { timeoutMs: 5000 } } as never }),
      next: () => app([fake("plain"), hookedNext], { global: { hooks: { timeoutMs: 1000 } } as never }),
    });
    await t.sources.add([plain, hooked]);
    t.sources.schedule();
    const outcome = await t.reloader.reload({ via: "sighup" });
    expect(outcome).toMatchObject({
      ok: true,
      changed: ["hooked"],
      unchanged: ["plain"],
      restart_needed: [],
    });
    expect(t.sources.get("hooked")?.prepared.source).toBe(hookedNext);
    expect(t.sources.get("plain")?.prepared.source).toBe(plain);
    await t.stop();
  });

  it("refuses another helrc version, sources added under replicas, a failing load and a reload during shutdown", async () => {
    const keep = fake("keep");
    const cases: Array<[Partial<ReloaderDeps> & { next: () => App }, RegExp]> = [
      [
        { next: () => app([keep], { version: "0.2.0" }) },
        /built by helrc 0\.2\.0 and this process runs 0\.1\.0/,
      ],
      [
        { next: () => app([keep, fake("more")]), replicas: true },
        /every replica must poll the same set of sources.*\+more/,
      ],
      [
        {
          next: () => {
            throw new Error("bundle /opt/helr/helr.js does not compile");
          },
        },
        /does not compile/,
      ],
      [{ next: () => app([keep]), stopping: () => true }, /shutting down/],
    ];
    for (const [deps, reason] of cases) {
      const t = setup([keep], deps);
      await t.sources.add([keep]);
      t.sources.schedule();
      const outcome = await t.reloader.reload({ via: "api" });
      expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(reason) });
      expect(t.sources.get("keep")?.prepared.source).toBe(keep);
      expect(t.reloader.app.sources).toEqual([keep]);
      expect(
        t.lines.some((l) => /reload rejected, the running sources are unchanged/.test(String(l.msg))),
      ).toBe(true);
      await t.stop();
    }
  });
});
