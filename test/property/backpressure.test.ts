import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backpressureSink } from "../../runtime/flow/backpressure-sink.ts";
import { Spill } from "../../runtime/flow/spill.ts";
import { createRunEvents } from "../../runtime/observe/events.ts";
import type { Sink } from "../../runtime/output/sink.ts";
import type { BackpressureSpec } from "../../runtime/spec.ts";

/** A sink that takes `delays[i]` turns of the event loop to accept its i-th write. */
function slowSink(delays: readonly number[]): Sink & { readonly lines: string[] } {
  const lines: string[] = [];
  let n = 0;
  let last = Promise.resolve();
  return {
    lines,
    async write(data) {
      const turns = delays[n++ % delays.length] ?? 0;
      const run = last.then(async () => {
        for (let i = 0; i < turns; i++) await new Promise(setImmediate);
        lines.push(...Buffer.from(data).toString().split("\n").filter(Boolean));
      });
      last = run;
      await run;
    },
    async flush() {
      await last;
    },
    async close() {
      await last;
    },
  };
}

const limits = fc.record({
  eventQueueSize: fc.integer({ min: 1, max: 6 }),
  stdoutBufferSize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 80 })),
  memoryThresholdMb: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
});
/** Per source: blocks of 1–4 lines; a flush after some of them (a checkpoint). */
const producers = fc.array(
  fc.array(fc.record({ lines: fc.integer({ min: 1, max: 4 }), flush: fc.boolean() }), { maxLength: 12 }),
  { minLength: 1, maxLength: 4 },
);
const delays = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 8 });
/** RSS readings in MB, cycled: they may stay above the threshold for good. */
const rssReadings = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 6 });

function rssFrom(readings: readonly number[]): () => number {
  let i = 0;
  return () => (readings[i++ % readings.length] ?? 0) * 1024 * 1024;
}

/** Runs every producer to the end; returns what each wrote, in order. */
async function produce(
  sink: Sink,
  plan: readonly (readonly { lines: number; flush: boolean }[])[],
): Promise<string[][]> {
  return Promise.all(
    plan.map(async (blocks, p) => {
      const written: string[] = [];
      for (const [b, block] of blocks.entries()) {
        const lines = Array.from({ length: block.lines }, (_, l) => `{"p":${p},"b":${b},"l":${l}}`);
        written.push(...lines);
        await sink.write(`${lines.join("\n")}\n`, { sourceId: `s${p}`, lines: lines.length });
        if (block.flush) await sink.flush();
      }
      await sink.flush();
      return written;
    }),
  );
}

function bySource(lines: readonly string[], p: number): string[] {
  return lines.filter((line) => line.startsWith(`{"p":${p},`));
}

type Limits = { eventQueueSize: number; stdoutBufferSize: number; memoryThresholdMb: number | undefined };

function spec(
  strategy: BackpressureSpec["strategy"],
  l: Limits,
  extra: Partial<BackpressureSpec> = {},
): BackpressureSpec {
  return {
    eventQueueSize: l.eventQueueSize,
    stdoutBufferSize: l.stdoutBufferSize,
    ...(l.memoryThresholdMb !== undefined ? { memoryThresholdMb: l.memoryThresholdMb } : {}),
    strategy,
    dropPolicy: "oldest_first",
    ...extra,
  };
}

const deps = (rss: () => number) => ({
  events: createRunEvents(),
  log: { warn: () => undefined, info: () => undefined },
  now: () => 0,
  random: () => 0.5,
  rss,
});

describe("backpressure: block", () => {
  it("every producer finishes, and the sink gets every line once, each source's in order", async () => {
    await fc.assert(
      fc.asyncProperty(limits, producers, delays, rssReadings, async (l, plan, d, rss) => {
        const inner = slowSink(d);
        const sink = backpressureSink(inner, spec("block", l), deps(rssFrom(rss)));
        const written = await produce(sink, plan);
        await sink.close();
        expect(inner.lines.length).toBe(written.flat().length);
        for (const [p, lines] of written.entries()) expect(bySource(inner.lines, p)).toEqual(lines);
      }),
      { numRuns: 150 },
    );
  });

  it("a flush resolves only once every line written before it reached the sink", async () => {
    await fc.assert(
      fc.asyncProperty(limits, fc.integer({ min: 1, max: 20 }), delays, async (l, n, d) => {
        const inner = slowSink(d);
        const sink = backpressureSink(
          inner,
          spec("block", l),
          deps(() => 0),
        );
        for (let i = 0; i < n; i++) await sink.write(`{"p":0,"i":${i}}\n`, { sourceId: "s0", lines: 1 });
        await sink.flush();
        expect(inner.lines.length).toBe(n);
        await sink.close();
      }),
      { numRuns: 100 },
    );
  });
});

describe("backpressure: drop", () => {
  it("delivers a subsequence of each source's lines, and counts every line it did not deliver", async () => {
    const policies = fc.constantFrom("oldest_first" as const, "newest_first" as const, "random" as const);
    await fc.assert(
      fc.asyncProperty(
        limits,
        producers,
        delays,
        policies,
        fc.double({ min: 0, max: 0.999 }),
        async (l, plan, d, policy, r) => {
          const inner = slowSink(d);
          const events = createRunEvents();
          let dropped = 0;
          events.subscribe((e) => {
            if (e.type === "dropped") dropped += e.count;
          });
          const sink = backpressureSink(inner, spec("drop", l, { dropPolicy: policy }), {
            ...deps(() => 0),
            events,
            random: () => r,
          });
          const written = await produce(sink, plan);
          await sink.close();
          expect(inner.lines.length + dropped).toBe(written.flat().length);
          for (const [p, lines] of written.entries()) {
            const got = bySource(inner.lines, p);
            let at = 0;
            for (const line of got) at = lines.indexOf(line, at) + 1;
            expect(at).toBeGreaterThan(got.length === 0 ? -1 : 0);
            expect(new Set(got).size).toBe(got.length);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("backpressure: disk_buffer", () => {
  it("keeps the order of all lines through memory and disk, and leaves no segment behind", async () => {
    await fc.assert(
      fc.asyncProperty(
        limits,
        producers,
        delays,
        fc.integer({ min: 1, max: 200 }),
        async (l, plan, d, segment) => {
          const dir = mkdtempSync(join(tmpdir(), "helr-spill-"));
          try {
            const spill = await Spill.open(join(dir, "spill"), { maxBytes: 400, segmentBytes: segment });
            const inner = slowSink(d);
            const sink = backpressureSink(inner, spec("disk_buffer", l), { ...deps(() => 0), spill });
            const written = await produce(sink, plan);
            await sink.close();
            expect(inner.lines.length).toBe(written.flat().length);
            for (const [p, lines] of written.entries()) expect(bySource(inner.lines, p)).toEqual(lines);
            expect(spill.empty).toBe(true);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
