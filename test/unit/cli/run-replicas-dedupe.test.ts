/**
 * A source's dedupe window across a lease that moves A → B → A, through the real replica gate
 * on a shared Redis: replica A (behind a loopback proxy the test cuts) polls and commits, loses
 * the lease while cut off, B takes it and commits new ids, B leaves, A takes the lease back.
 * A's next poll must see the window B committed: no repeat of B's ids, and B's segments are not
 * overwritten by a stale in-memory window of A's.
 */
import pino from "pino";
import { afterEach, expect, it } from "vitest";
import { type App, type BoundSource, defineSource } from "../../../runtime/app.ts";
import { type Replicas, startReplicas } from "../../../runtime/cli/run-replicas.ts";
import { pollSource } from "../../../runtime/engine/poll.ts";
import { sleep } from "../../../runtime/engine/scheduler.ts";
import type { PollDeps } from "../../../runtime/engine/types.ts";
import type { HttpSend } from "../../../runtime/http/client.ts";
import type { Sink } from "../../../runtime/output/sink.ts";
import { singleRequest } from "../../../runtime/paginate/single.ts";
import type { GlobalSpec } from "../../../runtime/spec.ts";
import { redisStore } from "../../../runtime/state/redis.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { pollDeps } from "../../support/poll-deps.ts";
import { sinkText } from "../../support/sink-text.ts";
import { sourceSpec } from "../../support/source-spec.ts";
import { startProxy, type TcpProxy } from "../../support/tcp-proxy.ts";
import {
  backendNamed,
  deleteByPattern,
  describeBackend,
  REDIS_URL,
  uniqueNamespace,
} from "../state/backends.ts";

const redis = backendNamed("redis");
const problem = await redis.unavailable();

const spec = sourceSpec(
  { strategy: "single" },
  { url: "http://api.test/logs", dedupe: { idPath: "id", capacity: 100 } },
);

function app(): App {
  const global = {
    state: { backend: "redis" },
    replicas: { enabled: true, leaseTtlSecs: 1, renewEverySecs: 0.1 },
  } as unknown as GlobalSpec;
  return { global, sources: [{ spec }], stores: {} } as unknown as App;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await sleep(50, new AbortController().signal);
  if (!ok()) throw new Error(`gave up waiting: ${what}`);
}

/** An API answering every request with the ids of `reply.ids`, as `{id}` events. */
function api(reply: { ids: number[] }): HttpSend {
  return async (req) => ({
    status: 200,
    headers: new Map(),
    body: Buffer.from(JSON.stringify(reply.ids.map((id) => ({ id })))),
    url: req.url,
  });
}

/** One replica of the test: its store, its `Replicas`, its own bound source and its output. */
interface Replica {
  readonly store: StateStore;
  readonly replicas: Replicas;
  readonly source: BoundSource;
  readonly written: string[];
  poll(): Promise<unknown>;
}

function replicaOf(store: StateStore, stop: AbortSignal, http: HttpSend): Replica {
  const source = defineSource(spec, { pagination: singleRequest });
  const replicas = startReplicas(
    app(),
    store,
    [source],
    { once: false, replayDir: undefined },
    pino({ level: "silent" }),
    stop,
  ) as Replicas;
  const written: string[] = [];
  const sink: Sink = {
    write: async (t) =>
      void written.push(
        ...sinkText(t)
          .split("\n")
          .filter(Boolean)
          .map((l) => String(JSON.parse(l).event.id)),
      ),
    flush: async () => {},
    close: async () => {},
  };
  const deps = pollDeps({ store: replicas.store, sink, http });
  const gated = replicas.gate(
    (p: { source: BoundSource; deps: PollDeps }) => pollSource(p.source, p.deps),
    stop,
  );
  return { store, replicas, source, written, poll: () => gated({ source, deps }) };
}

describeBackend(redis, problem, "dedupe window when a lease moves A → B → A (Redis, replica gate)", () => {
  let proxy: TcpProxy | undefined;
  const stops: AbortController[] = [];
  const opened: Replica[] = [];
  const namespace = uniqueNamespace();

  afterEach(async () => {
    await proxy?.restore().catch(() => undefined);
    for (const s of stops) s.abort();
    for (const r of opened) {
      await r.replicas.close().catch(() => undefined);
      await r.store.close();
    }
    const { Redis } = await import("ioredis");
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await deleteByPattern(admin, `${namespace}:*`);
    await admin.quit();
  });

  it("A, taking the lease back, sees the ids B committed and keeps B's window", async () => {
    const upstream = new URL(REDIS_URL);
    proxy = await startProxy(upstream.hostname, Number(upstream.port || 6379));
    upstream.port = String(proxy.port);
    const reply = { ids: [1, 2] };
    const http = api(reply);
    const stopA = new AbortController();
    const stopB = new AbortController();
    stops.push(stopA, stopB);

    const a = replicaOf(await redisStore({ path: "", url: upstream.href, namespace }), stopA.signal, http);
    opened.push(a);
    await until("A holds the source", () => a.replicas.held().includes("src"));
    await a.poll();
    expect(a.written).toEqual(["1", "2"]);

    const b = replicaOf(await redisStore({ path: "", url: REDIS_URL, namespace }), stopB.signal, http);
    opened.push(b);
    await proxy.cut();
    await until("A gave the lease up", () => a.replicas.held().length === 0);
    await until("B holds the source", () => b.replicas.held().includes("src"));
    reply.ids = [1, 2, 3, 4];
    await b.poll();
    expect(b.written).toEqual(["3", "4"]);
    stopB.abort();
    await b.replicas.close();

    await proxy.restore();
    await until("A holds the source again", () => a.replicas.held().includes("src"));
    reply.ids = [3, 5];
    await a.poll();
    const stored = await b.store.read("src");
    const ids = Object.entries(stored)
      .filter(([key]) => key.startsWith("dedupe."))
      .flatMap(([, value]) => JSON.parse(value) as string[]);
    // 3 was written by B: A must not write it again, nor drop B's 4 from the stored window.
    expect({ written: a.written, stored: ids.sort() }).toEqual({
      written: ["1", "2", "5"],
      stored: ["1", "2", "3", "4", "5"],
    });
  }, 60_000);
});
