/**
 * A wake-up for waiters that re-check their own condition: `wait()` resolves at the next
 * `notify()`. A waiter checks its condition and calls `wait()` in the same turn of the event
 * loop, so no notification can fall between the check and the wait (no lost wake-ups), and
 * every waiter loops `while (!condition) await signal.wait()` — nothing is assumed after waking.
 */
export class Signal {
  #waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
