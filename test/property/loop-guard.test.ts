/**
 * The loop guard (issue 14): a cursor or next link already used in a pass ends it, whatever the
 * sequence the API hands out. Against an API that answers page n with the n-th generated cursor,
 * the pass requests every cursor once, stops exactly at the first repeat (reason `loop`) or at the
 * end of the sequence, and never sends the same request twice.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineSource } from "../../runtime/app.ts";
import { pollSource } from "../../runtime/engine/poll.ts";
import { cursorPagination } from "../../runtime/paginate/cursor.ts";
import { linkHeaderPagination } from "../../runtime/paginate/link-header-paginator.ts";
import { memoryStore } from "../../runtime/state/memory.ts";
import { type ApiServer, startApi } from "../support/api-server.ts";
import { pollDeps, textSink } from "../support/poll-deps.ts";
import { sourceSpec } from "../support/source-spec.ts";

/** The sequence the API hands out now; the n-th request (0-based) gets `sequence[n]`. */
let sequence: readonly string[] = [];
let api: ApiServer;
beforeAll(async () => {
  api = await startApi((req, base) => {
    const url = new URL(req.url, base);
    const sent = url.searchParams.get("c");
    // The page a request asks for: the position of its cursor in the sequence, plus one.
    const index = sent === null ? 0 : sequence.indexOf(sent) + 1;
    const next = sequence[index];
    const page = { items: [{ uuid: `e${index}` }], ...(next !== undefined ? { next } : {}) };
    const link = next !== undefined ? { link: `<${base}/links?c=${next}>; rel="next"` } : undefined;
    return { json: page, ...(link ? { headers: link } : {}) };
  });
});
afterAll(async () => api?.close());

/** What a correct guard does with `cursors`: request each until one repeats. */
function expected(cursors: readonly string[]): { requests: number; loop: boolean } {
  const seen = new Set<string>();
  for (const [i, cursor] of cursors.entries()) {
    if (seen.has(cursor)) return { requests: i + 1, loop: true };
    seen.add(cursor);
  }
  return { requests: cursors.length + 1, loop: false };
}

const cursors = fc.array(fc.constantFrom("A", "B", "C", "D", "E", "F"), { minLength: 0, maxLength: 12 });

describe("the loop guard (property)", () => {
  it.each([
    ["cursor", "/cursor"],
    ["link_header", "/links"],
  ] as const)(
    "%s: every request once, the pass ends at the first repeated position",
    async (strategy, path) => {
      await fc.assert(
        fc.asyncProperty(cursors, async (generated) => {
          sequence = generated;
          const before = api.requests.length;
          const pagination =
            strategy === "cursor"
              ? ({
                  strategy,
                  cursorParam: "c",
                  cursorPath: "next",
                  maxPages: 100,
                  stop: { onEmptyPage: false, onShortPage: false },
                } as const)
              : ({
                  strategy,
                  rel: "next",
                  maxPages: 100,
                  stop: { onEmptyPage: false, onShortPage: false },
                } as const);
          const spec = sourceSpec(pagination, { url: `${api.url}${path}` });
          const source = defineSource(spec, {
            pagination: (p) =>
              p.strategy === "cursor"
                ? cursorPagination(p)
                : linkHeaderPagination(p as typeof pagination & { rel: string }),
          });
          const summary = await pollSource(
            source,
            pollDeps({ store: await memoryStore({ path: "" }), sink: textSink() }),
          );
          const sent = api.requests.slice(before).map((r) => r.url);
          const want = expected(generated);
          expect(sent).toHaveLength(want.requests);
          expect(new Set(sent).size).toBe(sent.length);
          expect(summary.stopReason).toBe(want.loop ? "loop" : "end");
        }),
        { numRuns: 150 },
      );
    },
  );
});
