/**
 * A state-store outage under two replicas of one built bundle: the state URL points at a
 * loopback TCP proxy in front of the shared Redis (then Postgres), and the test cuts the proxy
 * mid-run (the shared servers are never touched). Each replica stops polling the sources whose
 * leases it cannot renew — no request of any source reaches the mock while the store is away,
 * and no source is ever polled by two replicas at once — the processes stay up, and when the
 * proxy is back they take the sources again and catch up: no event lost, at most one page
 * repeated per source for the one failover.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../../runtime/engine/scheduler.ts";
import { cleanEnv, helrc, tempDir } from "../support/bundle.ts";
import { call } from "../support/http-call.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import {
  complete,
  type Front,
  fleetConfig,
  logged,
  overlaps,
  type Replica,
  repeats,
  startFront,
  startReplica,
  until,
} from "../support/replica-fleet.ts";
import { freePort } from "../support/running-bundle.ts";
import { startProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { BACKENDS, RUN_ID } from "../unit/state/backends.ts";

const TOKEN = "okta-outage-5e6f7a";
const SOURCES = 4;
const PAGE = 5;
const TTL_SECS = 3;

for (const backend of BACKENDS.filter((b) => b.name === "redis" || b.name === "postgres")) {
  const kind = backend.name as "redis" | "postgres";
  describe(`two replicas through a store outage on ${kind}`, () => {
    let skip: string | undefined;
    let mock: OktaMock;
    let front: Front;
    let proxy: TcpProxy;
    let dir: string;
    let bundles: string[];
    let apiPorts: number[];
    const sourceIds = Array.from({ length: SOURCES }, (_, i) => `o${RUN_ID}${kind.slice(0, 2)}${i}`);
    const replicas: Replica[] = [];
    const upstream = new URL(
      kind === "redis"
        ? (process.env.HELR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379")
        : (process.env.HELR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test"),
    );

    beforeAll(async () => {
      skip = await backend.unavailable();
      if (skip !== undefined) {
        if (process.env.CI) throw new Error(`${kind} unreachable under CI: ${skip}`);
        return;
      }
      mock = await startOktaMock({ token: TOKEN, events: 30, seed: 4 });
      front = await startFront(mock.url);
      proxy = await startProxy(upstream.hostname, Number(upstream.port || (kind === "redis" ? 6379 : 5432)));
      dir = tempDir();
      // One bundle per replica, the same sources: each serves its probes on its own port.
      apiPorts = [await freePort(), await freePort()];
      bundles = [];
      for (const [i, apiPort] of apiPorts.entries()) {
        const config = join(dir, `helr-${i}.yaml`);
        writeFileSync(
          config,
          fleetConfig({ backend: kind, sourceIds, page: PAGE, ttlSecs: TTL_SECS, apiPort }),
        );
        const bundle = join(dir, `helr-${i}.js`);
        const built = await helrc(["build", config, "-o", bundle]);
        expect(built.stderr).not.toMatch(/ error HLR\d+/);
        expect(built.code).toBe(0);
        bundles.push(bundle);
      }
    }, 180_000);

    afterAll(async () => {
      await proxy?.restore().catch(() => undefined);
      for (const r of replicas) r.child.kill("SIGTERM");
      await Promise.all(replicas.map((r) => r.exited));
      await proxy?.cut().catch(() => undefined);
      await front?.close();
      await mock?.close();
    });

    it("stops polling while the store is away, never with two pollers, and resumes without loss", async (ctx) => {
      if (skip !== undefined) return ctx.skip(`${kind} unavailable: ${skip}`);
      const via = new URL(upstream.href);
      via.port = String(proxy.port);
      const env = cleanEnv({
        OKTA_URL: front.url,
        OKTA_TOKEN: TOKEN,
        STATE_URL: via.href,
        HELR_LOG_LEVEL: "info",
      });
      for (const [i, name] of ["replica_a_zq", "replica_b_zq"].entries())
        replicas.push(startReplica(name, bundles[i] as string, dir, env));
      const probe = (i: number, path: string) => call(`http://127.0.0.1:${apiPorts[i]}${path}`);
      const done = () => complete(replicas, sourceIds, mock.events.length);
      await until("every event of every source written", done);
      const held = () =>
        sourceIds.every((id) => replicas.some((r) => logged(r, "lease acquired").includes(id)));
      expect(held()).toBe(true);
      // The health JSON says which sources each replica holds: together, every one, once.
      const holdings = await Promise.all(
        [0, 1].map(
          async (i) => ((await probe(i, "/healthz")).json as { replicas: { held: string[] } }).replicas,
        ),
      );
      expect(holdings.flatMap((h) => h.held).sort()).toEqual([...sourceIds].sort());
      for (const i of [0, 1]) expect((await probe(i, "/readyz")).status).toBe(200);

      // Cut the store away; the mock keeps producing events meanwhile.
      const offsets = replicas.map((r) => r.stderr.length);
      const cutAt = performance.now();
      await proxy.cut();
      mock.addEvents(10);
      const lostAll = () =>
        sourceIds.every((id) => replicas.some((r, i) => logged(r, "lease lost", offsets[i]).includes(id)));
      await until("every lease given up while the store is away", lostAll, 30_000);
      const stoppedAt = performance.now();
      const stoppedMs = stoppedAt - cutAt;
      // From here on no replica may poll any source: wait past a whole TTL and check the log.
      await sleep((TTL_SECS + 2) * 1000, new AbortController().signal);
      const during = front.requests.filter((r) => r.startMs > stoppedAt);
      expect(during, "requests while every lease was given up").toEqual([]);
      for (const r of replicas) expect(r.child.exitCode, `${r.name} still running`).toBeNull();
      // Still serving health, and saying why it is not ready.
      for (const i of [0, 1]) {
        const ready = await probe(i, "/readyz");
        expect(ready.status).toBe(503);
        expect(ready.json).toMatchObject({ ready: false, state_store_connected: false });
        const health = (await probe(i, "/healthz")).json as { replicas: object };
        expect(health.replicas).toMatchObject({ store_reachable: false, held: [] });
      }
      for (const [i, r] of replicas.entries()) {
        expect(r.stderr.slice(offsets[i]), r.name).toMatch(/lease store unreachable/);
      }

      // The store is back: the sources are taken again and every event arrives.
      const restoredAt = performance.now();
      await proxy.restore();
      await until("every event after the store came back", done, 60_000);
      const resumedMs = performance.now() - restoredAt;
      // Every event can arrive through one replica before the other's next renewal got through.
      for (const [i, r] of replicas.entries()) {
        await until(`${r.name}: lease store reachable again`, () =>
          /lease store reachable again/.test(r.stderr.slice(offsets[i])),
        );
      }
      for (const i of [0, 1]) expect((await probe(i, "/readyz")).status).toBe(200);

      expect(overlaps(front.requests), "two replicas polling one source at once").toEqual([]);
      const repeated = repeats(replicas, sourceIds);
      // One failover (the outage): at most one page repeated per source.
      for (const n of repeated) expect(n).toBeLessThanOrEqual(PAGE);
      process.stderr.write(
        `${kind} outage: events served ${mock.events.length} per source × ${SOURCES}, lost 0, repeated ${repeated.join(",")}; ` +
          `every source stopped ${Math.round(stoppedMs)} ms after the cut (TTL ${TTL_SECS} s), caught up ${Math.round(resumedMs)} ms after the restore; ` +
          `${front.requests.length} requests, 0 overlapping\n`,
      );
    }, 240_000);
  });
}
