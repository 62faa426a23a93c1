import pino from "pino";
import { describe, expect, it } from "vitest";
import type { BoundSource } from "../../../runtime/app.ts";
import { type Prepared, refreshCredentialsOnHangup } from "../../../runtime/cli/run.ts";
import type { PollDeps } from "../../../runtime/engine/poll.ts";

describe("SIGHUP", () => {
  it("makes every source drop its cached tokens, and stops listening when disposed", () => {
    const resets: string[] = [];
    const source = (id: string): Prepared => ({
      source: {
        spec: { id },
        paginator: undefined,
        auth: { authorize: async () => [], reset: () => void resets.push(id) },
      } as unknown as BoundSource,
      deps: {} as PollDeps,
    });
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s).msg) });
    const listener = refreshCredentialsOnHangup([source("okta"), source("github")], log);
    process.emit("SIGHUP", "SIGHUP");
    expect(resets).toEqual(["okta", "github"]);
    expect(lines.join()).toMatch(/secrets are re-read on the next request/);
    process.off("SIGHUP", listener);
    expect(process.listeners("SIGHUP")).not.toContain(listener);
  });
});
