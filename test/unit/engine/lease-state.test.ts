/**
 * What a source keeps in memory between polls, across leases. The dedupe window is loaded from
 * the state store; with replicas it is loaded again whenever a poll runs under a new lease
 * (`PollDeps.leaseToken`), since another replica may have committed while this one did not hold
 * the source; without replicas, and within one lease, it is loaded once. The handover runs on
 * the real shared stores with their fenced commits; the reload rule on the memory store. Cached
 * credentials are dropped under a new lease too: another replica may have rotated the refresh
 * token meanwhile (a strict local OAuth server that revokes a rotated-away token).
 */
import { afterEach, describe, expect, it } from "vitest";
import { type BoundSource, defineSource } from "../../../runtime/app.ts";
import { oauth2Auth } from "../../../runtime/auth/oauth2.ts";
import { REFRESH_TOKEN_KEY } from "../../../runtime/auth/refresh-token.ts";
import { closeHookRunners } from "../../../runtime/engine/hook-stages.ts";
import { pollSource } from "../../../runtime/engine/poll.ts";
import type { SourceHooks } from "../../../runtime/hooks/binding.ts";
import type { HookRunner } from "../../../runtime/hooks/runner.ts";
import { type HttpSend, sendHttp } from "../../../runtime/http/client.ts";
import type { Sink } from "../../../runtime/output/sink.ts";
import { singleRequest } from "../../../runtime/paginate/single.ts";
import { fencedStore } from "../../../runtime/state/fenced.ts";
import type { Fence } from "../../../runtime/state/lease.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import type { StateStore } from "../../../runtime/state/store.ts";
import { type OAuthServer, startOAuthServer } from "../../support/oauth-server.ts";
import { pollDeps } from "../../support/poll-deps.ts";
import { sinkText } from "../../support/sink-text.ts";
import { sourceSpec } from "../../support/source-spec.ts";
import { manualClock, recordingSleep } from "../auth/drive.ts";
import { backendNamed, describeBackend, type Fixture } from "../state/backends.ts";

const spec = sourceSpec(
  { strategy: "single" },
  { url: "http://api.test/logs", dedupe: { idPath: "id", capacity: 100 } },
);

/** What one replica keeps across its polls, as a run does (so the engine keeps its context). */
interface Replica {
  readonly source: BoundSource;
  /** Answers `{id}` events for `reply.ids`. */
  readonly http: HttpSend;
  readonly reply: { ids: number[] };
  readonly sink: Sink;
  /** The ids written to the sink, in order. */
  readonly written: string[];
}

function replica(bound: BoundSource = defineSource(spec, { pagination: singleRequest })): Replica {
  const written: string[] = [];
  const reply = { ids: [] as number[] };
  const sink: Sink = {
    write: async (t) => {
      for (const line of sinkText(t).split("\n").filter(Boolean))
        written.push(String(JSON.parse(line).event.id));
    },
    flush: async () => {},
    close: async () => {},
  };
  const http: HttpSend = async (req) => ({
    status: 200,
    headers: new Map(),
    body: Buffer.from(JSON.stringify(reply.ids.map((id) => ({ id })))),
    url: req.url,
  });
  return { source: bound, http, reply, sink, written };
}

/**
 * Polls `r` once with the API answering `ids`, on `store`, under `leaseToken` when given; token
 * requests go out for real (to the local OAuth server), with `env`.
 */
function poll(
  r: Replica,
  store: StateStore,
  ids: number[],
  leaseToken?: number,
  env: Record<string, string> = {},
): Promise<unknown> {
  r.reply.ids = ids;
  const lease = leaseToken === undefined ? {} : { leaseToken };
  return pollSource(
    r.source,
    pollDeps({ store, sink: r.sink, http: r.http, tokenHttp: sendHttp, env, ...lease }),
  );
}

async function windowIds(store: StateStore): Promise<string[]> {
  return Object.entries(await store.read("src"))
    .filter(([key]) => key.startsWith("dedupe."))
    .flatMap(([, value]) => JSON.parse(value) as string[])
    .sort();
}

for (const name of ["redis", "postgres"]) {
  const backend = backendNamed(name);
  const problem = await backend.unavailable();
  describeBackend(backend, problem, `dedupe window across a lease handover (${name}, fenced commits)`, () => {
    let fixture: Fixture | undefined;
    const stores: StateStore[] = [];
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      await fixture?.destroy();
    });

    it("A, under its new lease, neither repeats B's ids nor overwrites B's segments", async () => {
      fixture = await backend.fixture();
      const opened = [await fixture.open(), await fixture.open()];
      stores.push(...opened);
      const leases = opened[0]?.leases as NonNullable<StateStore["leases"]>;
      /** A replica on its own store, fenced (one store for all its polls); each poll takes the lease, then releases it. */
      const replicaOn = (holder: string, store: StateStore) => {
        let fence: Fence | undefined;
        const fenced = fencedStore(store, { fenceFor: () => fence, markLost: () => undefined });
        const r = replica();
        return {
          written: r.written,
          async poll(ids: number[]): Promise<void> {
            const lease = await leases.acquire("src", holder, 30_000);
            if (lease === undefined) throw new Error(`${holder} did not get the lease`);
            fence = { holder, token: lease.token };
            await poll(r, fenced, ids, lease.token);
            await leases.release("src", fence);
            fence = undefined;
          },
        };
      };
      const a = replicaOn("A", opened[0] as StateStore);
      const b = replicaOn("B", opened[1] as StateStore);
      await a.poll([1, 2]);
      await b.poll([1, 2, 3, 4]);
      await a.poll([3, 5]);
      expect({ a: a.written, b: b.written, stored: await windowIds(opened[0] as StateStore) }).toEqual({
        a: ["1", "2", "5"],
        b: ["3", "4"],
        stored: ["1", "2", "3", "4", "5"],
      });
    });
  });
}

describe("when the dedupe window is loaded again (a segment is added behind the context's back)", () => {
  it("without replicas: once per process, a later poll does not read it again", async () => {
    const store = await memoryStore({ path: "" });
    const r = replica();
    await poll(r, store, [1]);
    await store.commit("src", { "dedupe.0000000009": JSON.stringify(["2"]) });
    await poll(r, store, [2]);
    expect(r.written).toEqual(["1", "2"]);
  });

  it("with replicas: once per lease, and again under a new lease", async () => {
    const store = await memoryStore({ path: "" });
    const r = replica();
    await poll(r, store, [1], 7);
    await store.commit("src", { "dedupe.0000000009": JSON.stringify(["2"]) });
    await poll(r, store, [2], 7);
    await store.commit("src", { "dedupe.0000000019": JSON.stringify(["3"]) });
    await poll(r, store, [3, 4], 8);
    expect(r.written).toEqual(["1", "2", "4"]);
    // The next segment is numbered after the stored ones, not after the context's old count.
    const keys = Object.keys(await store.read("src")).filter((k) => k.startsWith("dedupe."));
    expect(keys).toContain("dedupe.0000000020");
  });
});

describe("cached credentials under a new lease", () => {
  let server: OAuthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("A, taking the source back, uses the refresh token B rotated, not its own revoked one", async () => {
    server = await startOAuthServer({
      clients: [{ clientId: "helr-client", secret: "s3cret" }],
      refreshTokens: { "rt-configured": "helr-client" },
      rotateRefreshTokens: true,
      tokenLifetimeSecs: 3600,
    });
    const env = { CLIENT_ID: "helr-client", CLIENT_SECRET: "s3cret", REFRESH: "rt-configured" };
    const auth = {
      type: "oauth2",
      tokenUrl: server.tokenUrl,
      clientId: { env: "CLIENT_ID" },
      clientSecret: { env: "CLIENT_SECRET" },
      refreshToken: { env: "REFRESH" },
      scopes: [],
      clientAuth: "client_secret_post",
      dpop: false,
      refreshSkewSecs: 60,
    } as const;
    const clock = manualClock();
    const withAuth = sourceSpec({ strategy: "single" }, { url: "http://api.test/logs", auth });
    /** A replica's source, its access tokens expiring by the test's clock. */
    const bound = () =>
      defineSource(withAuth, {
        pagination: singleRequest,
        auth: (s) => oauth2Auth(s, { now: clock.now, sleep: recordingSleep().sleep }),
      });
    const store = await memoryStore({ path: "" });
    const a = replica(bound());
    const b = replica(bound());
    await poll(a, store, [1], 1, env);
    await poll(b, store, [2], 2, env);
    const rotatedByB = (await store.read("src"))[REFRESH_TOKEN_KEY];
    // A's access token has expired by the time it holds the source again.
    clock.advance(2 * 3600 * 1000);
    await poll(a, store, [3], 3, env);
    const sent = server.records
      .filter((r) => r.path === "/oauth2/v1/token")
      .map((r) => ({ refreshToken: r.form?.refresh_token, status: r.status }));
    expect(sent).toEqual([
      { refreshToken: "rt-configured", status: 200 },
      { refreshToken: expect.stringMatching(/^rt-/), status: 200 },
      { refreshToken: rotatedByB, status: 200 },
    ]);
    expect(a.written).toEqual(["1", "3"]);
  });
});

describe("a getAuth hook's cached result", () => {
  /** The source with a script that defines only getAuth (cached an hour), counting its calls. */
  function hooked(): { source: BoundSource; calls: () => number } {
    let calls = 0;
    const runner = {
      hooks: new Set(["getAuth"]),
      getAuth: async () => {
        calls++;
        return { headers: { authorization: `Bearer hook-${calls}` } };
      },
      close: async () => {},
    } as unknown as HookRunner;
    const hooks = {
      allowHosts: [],
      settings: {
        enabled: true,
        timeoutMs: 1000,
        memoryLimitMb: 64,
        allowNetwork: false,
        authCacheTtlSecs: 3600,
      },
      start: async () => runner,
    } as unknown as SourceHooks;
    return { source: { ...defineSource(spec, { pagination: singleRequest }), hooks }, calls: () => calls };
  }

  it("is reused within a lease and without replicas, and dropped under a new lease", async () => {
    const store = await memoryStore({ path: "" });
    const single = hooked();
    const r = replica(single.source);
    await poll(r, store, [1]);
    await poll(r, store, [2]);
    const leased = hooked();
    const l = replica(leased.source);
    await poll(l, store, [3], 1);
    await poll(l, store, [4], 1);
    await poll(l, store, [5], 2);
    await closeHookRunners([single.source, leased.source]);
    expect({ single: single.calls(), leased: leased.calls() }).toEqual({ single: 1, leased: 2 });
  });
});
