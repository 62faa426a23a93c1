import { describe, expect, it } from "vitest";
import { createSemaphore } from "../../../runtime/resilience/semaphore.ts";

const tick = () => new Promise((r) => setImmediate(r));

describe("semaphore", () => {
  it("never runs more than the limit at once, and serves waiters first come first served", async () => {
    const sem = createSemaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      sem.run(async () => {
        order.push(i);
        peak = Math.max(peak, ++running);
        await new Promise<void>((r) => gates.push(r));
        running--;
      }),
    );
    for (let i = 0; i < 5; i++) {
      await tick();
      gates.shift()?.();
    }
    await Promise.all(tasks);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(sem.active).toBe(0);
  });

  it("drops a waiter whose signal aborts", async () => {
    const sem = createSemaphore(1);
    const release = await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire(controller.signal);
    expect(sem.waiting).toBe(1);
    controller.abort(new Error("shutdown"));
    await expect(waiting).rejects.toThrow("shutdown");
    expect(sem.waiting).toBe(0);
    release();
    release();
    expect(sem.active).toBe(0);
  });

  it("is unlimited without a limit", async () => {
    const sem = createSemaphore(undefined);
    await Promise.all([1, 2, 3].map(() => sem.acquire()));
    expect(sem.active).toBe(3);
  });
});
