/**
 * Injected faults for the mocks: "the next `count` authorised requests fail like this".
 * The value says how (a status, a rate-limit kind), so one counter serves every vendor.
 */
export class Countdown<T> {
  #left = 0;
  #value: T | undefined;

  /** Arms the next `count` requests with `value`; a later call replaces an earlier one. */
  arm(count: number, value: T): void {
    this.#left = Math.max(0, Math.floor(count));
    this.#value = value;
  }

  /** The armed value for this request (and one fewer left), or undefined when nothing is armed. */
  take(): T | undefined {
    if (this.#left <= 0) return undefined;
    this.#left--;
    return this.#value;
  }
}

/** A fixed-window request counter; `take` counts one request and reports the window's state. */
export class RateWindow {
  #windowStart = Number.NEGATIVE_INFINITY;
  #used = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  take(nowMs: number): { readonly used: number; readonly remaining: number; readonly resetSecs: number } {
    if (nowMs >= this.#windowStart + this.windowMs) {
      this.#windowStart = nowMs;
      this.#used = 0;
    }
    this.#used++;
    return {
      used: this.#used,
      remaining: Math.max(0, this.limit - this.#used),
      resetSecs: Math.ceil((this.#windowStart + this.windowMs) / 1000),
    };
  }
}
