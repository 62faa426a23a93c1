/**
 * Chaos under three replicas of one built bundle with twelve sources (dedupe on, its window in
 * the shared store), on the real Redis and on the real Postgres: for a while a seeded random
 * loop kill -9s a replica, stops one gracefully, or SIGSTOPs one past the lease TTL, restarts
 * it, and adds events to the mock. Afterwards every event the mock served was written, no
 * source was ever polled by two replicas at once (the front's request log), and repeats stay
 * within one page per source per disruption.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../../runtime/engine/scheduler.ts";
import { cleanEnv, helrc, tempDir } from "../support/bundle.ts";
import { type OktaMock, startOktaMock } from "../support/okta-mock.ts";
import {
  complete,
  type Front,
  fleetConfig,
  overlaps,
  type Replica,
  repeats,
  seen,
  startFront,
  startReplica,
  until,
} from "../support/replica-fleet.ts";
import { seededRandom } from "../support/seeded-random.ts";
import { BACKENDS, RUN_ID } from "../unit/state/backends.ts";

const TOKEN = "okta-chaos-9c8d7e";
const SOURCES = 12;
const SLOTS = 3;
const PAGE = 5;
const TTL_SECS = 3;
/** How long the disruption loop runs per backend. */
const CHAOS_MS = Number(process.env.HELR_CHAOS_MS ?? 40_000);
const SEED = Number(process.env.HELR_CHAOS_SEED ?? 21);

const wait = (ms: number) => sleep(ms, new AbortController().signal);

for (const backend of BACKENDS.filter((b) => b.name === "redis" || b.name === "postgres")) {
  const kind = backend.name as "redis" | "postgres";
  describe(`chaos: three replicas, ${SOURCES} sources on ${kind}`, () => {
    let skip: string | undefined;
    let mock: OktaMock;
    let front: Front;
    let dir: string;
    let bundle: string;
    const sourceIds = Array.from({ length: SOURCES }, (_, i) => `c${RUN_ID}${kind.slice(0, 2)}${i}`);
    /** Every process started, in order; `slots` are the current one of each replica. */
    const all: Replica[] = [];
    const slots: Replica[] = [];
    const stateUrl =
      kind === "redis"
        ? (process.env.HELR_TEST_REDIS_URL ?? "redis://127.0.0.1:6379")
        : (process.env.HELR_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test");

    beforeAll(async () => {
      skip = await backend.unavailable();
      if (skip !== undefined) {
        if (process.env.CI) throw new Error(`${kind} unreachable under CI: ${skip}`);
        return;
      }
      mock = await startOktaMock({ token: TOKEN, events: 20, seed: SEED });
      front = await startFront(mock.url);
      dir = tempDir({
        "helr.yaml": fleetConfig({ backend: kind, sourceIds, page: PAGE, ttlSecs: TTL_SECS, dedupe: true }),
      });
      bundle = join(dir, "helr.js");
      const built = await helrc(["build", join(dir, "helr.yaml"), "-o", bundle]);
      expect(built.stderr).not.toMatch(/ error HLR\d+/);
      expect(built.code).toBe(0);
    }, 180_000);

    afterAll(async () => {
      for (const r of all) {
        r.child.kill("SIGCONT");
        r.child.kill("SIGTERM");
      }
      await Promise.all(all.map((r) => r.exited));
      await front?.close();
      await mock?.close();
    });

    it("loses nothing, never has two pollers of a source, and repeats at most a page per disruption", async (ctx) => {
      if (skip !== undefined) return ctx.skip(`${kind} unavailable: ${skip}`);
      const env = cleanEnv({
        OKTA_URL: front.url,
        OKTA_TOKEN: TOKEN,
        STATE_URL: stateUrl,
        HELR_LOG_LEVEL: "info",
      });
      let generation = 0;
      const start = (slot: number): Replica => {
        generation += 1;
        const r = startReplica(`replica_${slot}_${generation}_zq`, bundle, dir, env);
        all.push(r);
        slots[slot] = r;
        return r;
      };
      for (let slot = 0; slot < SLOTS; slot++) start(slot);
      await until("every event of every source written", () => complete(all, sourceIds, mock.events.length));

      const random = seededRandom(SEED);
      const counts = { kill9: 0, term: 0, stop: 0 };
      const paused: Replica[] = [];
      const began = Date.now();
      while (Date.now() - began < CHAOS_MS) {
        await wait(random.int(1500, 4000));
        mock.addEvents(random.int(2, 8));
        const slot = random.int(0, SLOTS - 1);
        const victim = slots[slot] as Replica;
        const roll = random.next();
        if (roll < 0.65) {
          counts.kill9 += 1;
          victim.child.kill("SIGKILL");
          await victim.exited;
          await wait(random.int(500, 2500));
          start(slot);
        } else if (roll < 0.85) {
          counts.term += 1;
          victim.child.kill("SIGTERM");
          await victim.exited;
          start(slot);
        } else {
          // Paused past the TTL: its leases move; when it resumes, fencing must stop it.
          counts.stop += 1;
          victim.child.kill("SIGSTOP");
          await wait((TTL_SECS + 1) * 1000 + random.int(0, 1000));
          victim.child.kill("SIGCONT");
          paused.push(victim);
        }
      }
      mock.addEvents(5);
      await until("every event after the chaos", () => complete(all, sourceIds, mock.events.length), 90_000);

      const split = overlaps(front.requests);
      expect(split, "two replicas polling one source at once").toEqual([]);
      const disruptions = counts.kill9 + counts.term + counts.stop;
      const repeated = repeats(all, sourceIds);
      for (const n of repeated) expect(n).toBeLessThanOrEqual(PAGE * disruptions);
      for (const r of all) expect(r.stderr, r.name).not.toMatch(/"code":"HELR_STATE_WRITE"/);
      for (const r of paused) {
        // A resumed replica whose leases moved says so, and then writes nothing for them.
        expect(r.stderr, r.name).toMatch(/lease lost/);
      }

      const written = [...seen(all).values()].reduce(
        (sum, per) => sum + [...per.values()].reduce((a, b) => a + b, 0),
        0,
      );
      const gaps = sourceIds.map((id) => {
        const starts = front.requests.filter((r) => r.source === id).map((r) => r.startMs);
        return starts.slice(1).reduce((max, t, i) => Math.max(max, t - (starts[i] as number)), 0);
      });
      process.stderr.write(
        `${kind} chaos (seed ${SEED}, ${Math.round(CHAOS_MS / 1000)} s): kill -9 ${counts.kill9}, SIGTERM ${counts.term}, ` +
          `SIGSTOP ${counts.stop}; ${all.length} processes; events served ${mock.events.length} per source × ${SOURCES} = ` +
          `${mock.events.length * SOURCES}, lines written ${written}, lost 0, repeated ${repeated.reduce((a, b) => a + b, 0)} ` +
          `(per source ${repeated.join(",")}); ${front.requests.length} requests, 0 overlapping; ` +
          `longest gap between two polls of one source ${Math.round(Math.max(...gaps))} ms (TTL ${TTL_SECS} s + interval 1 s)\n`,
      );
    }, 240_000);
  });
}
