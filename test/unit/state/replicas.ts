/**
 * Helpers for the replica tests: a private redis-server the test may stop and restart, virtual
 * time for one keeper, and a watcher that fails the test if two live replicas ever hold the
 * same source at the same moment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { sleep } from "../../../runtime/engine/scheduler.ts";
import type { LeaseEvent, LeaseKeeper } from "../../../runtime/state/lease-keeper.ts";
import { closedPort } from "../../support/tcp-proxy.ts";

/** A redis-server of the test's own on a free loopback port, without persistence. */
export interface PrivateRedis {
  readonly url: string;
  /** Kills the server (SIGKILL): every connection drops, and its data is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** Why a private redis-server cannot run here, or undefined when it can. */
export async function privateRedisProblem(): Promise<string | undefined> {
  try {
    const redis = await startPrivateRedis();
    await redis.destroy();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await closedPort();
  const dir = mkdtempSync(join(tmpdir(), "helr-redis-"));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ];
    child = spawn("redis-server", args, { stdio: "ignore" });
    const failed = once(child, "error").then(([error]) => {
      throw new Error(`cannot start redis-server: ${(error as Error).message}`);
    });
    await Promise.race([failed, ready(port)]);
  };
  const kill = async (): Promise<void> => {
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
    child = undefined;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    destroy: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ready(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch {
      await sleep(50, new AbortController().signal);
    } finally {
      client.disconnect();
    }
  }
  throw new Error(`redis-server on port ${port} did not answer`);
}

/** Virtual monotonic time: `sleep` resolves only when `advance` passes its deadline (or on abort). */
export function virtualTime() {
  let now = 1_000;
  const waiters = new Set<{ at: number; resolve: () => void }>();
  return {
    clock: () => now,
    sleep: (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        const waiter = { at: now + ms, resolve };
        waiters.add(waiter);
        signal.addEventListener("abort", () => waiters.delete(waiter) && resolve(), { once: true });
      }),
    /** Moves time on and wakes every sleeper whose time has come. */
    advance: (ms: number) => {
      now += ms;
      for (const waiter of [...waiters]) {
        if (waiter.at <= now) {
          waiters.delete(waiter);
          waiter.resolve();
        }
      }
    },
  };
}

/**
 * Samples every few milliseconds which live keepers hold which sources; `overlaps` lists every
 * moment a source had two holders (it must stay empty).
 */
export function watchExclusive(keepers: () => readonly LeaseKeeper[], sources: readonly string[]) {
  const overlaps: string[] = [];
  const check = (): void => {
    for (const id of sources) {
      const holders = keepers().filter((k) => k.holds(id));
      if (holders.length > 1) overlaps.push(`${id}: ${holders.map((k) => k.replicaId).join(" and ")}`);
    }
  };
  const timer = setInterval(check, 5);
  return {
    overlaps,
    stop: () => {
      clearInterval(timer);
      check();
    },
  };
}

/** An event log per keeper. */
export function recorder(): { events: LeaseEvent[]; onEvent: (event: LeaseEvent) => void } {
  const events: LeaseEvent[] = [];
  return { events, onEvent: (event) => void events.push(event) };
}
