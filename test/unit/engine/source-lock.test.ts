import { describe, expect, it } from "vitest";
import { createSourceLocks } from "../../../runtime/engine/source-lock.ts";

describe("source locks", () => {
  it("never runs two pieces of work of one source at once, in order, and frees the lock after a failure", async () => {
    const locks = createSourceLocks();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const work =
      (name: string, fail = false) =>
      async () => {
        running += 1;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await new Promise((r) => setImmediate(r));
        log.push(`end ${name}`);
        running -= 1;
        if (fail) throw new Error(name);
        return name;
      };
    const a = locks.run("okta", work("a", true));
    const b = locks.run("okta", work("b"));
    expect(locks.busy("okta")).toBe(true);
    await expect(a).rejects.toThrow("a");
    await expect(b).resolves.toBe("b");
    expect(most).toBe(1);
    expect(log).toEqual(["start a", "end a", "start b", "end b"]);
    await new Promise((r) => setImmediate(r));
    expect(locks.busy("okta")).toBe(false);
  });

  it("lets different sources run together", async () => {
    const locks = createSourceLocks();
    let release: () => void = () => undefined;
    const held = locks.run("a", () => new Promise<void>((r) => (release = r)));
    await expect(locks.run("b", async () => "b")).resolves.toBe("b");
    release();
    await held;
  });
});
