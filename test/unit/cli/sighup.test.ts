import pino from "pino";
import { describe, expect, it } from "vitest";
import type { BoundSource } from "../../../runtime/app.ts";
import { onHangup, type Prepared } from "../../../runtime/cli/run.ts";
import type { BundleReloader } from "../../../runtime/cli/run-reload.ts";
import type { PollDeps } from "../../../runtime/engine/poll.ts";

const source = (id: string, resets: string[]): Prepared => ({
  source: {
    spec: { id },
    paginator: undefined,
    auth: { authorize: async () => [], reset: () => void resets.push(id) },
  } as unknown as BoundSource,
  deps: {} as PollDeps,
});

function logger(lines: string[]) {
  return pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s).msg) });
}

describe("SIGHUP", () => {
  it("under --once and replay drops every source's cached tokens, and stops listening when disposed", () => {
    for (const mode of ["once", "replay"] as const) {
      const resets: string[] = [];
      const lines: string[] = [];
      const before = process.listeners("SIGHUP").length;
      const hangup = onHangup(logger(lines), mode);
      hangup.prepared(() => [source("okta", resets), source("github", resets)]);
      process.emit("SIGHUP", "SIGHUP");
      expect(resets).toEqual(["okta", "github"]);
      expect(lines.join()).toMatch(/secrets are re-read on the next request \(no reload under/);
      hangup.dispose();
      expect(process.listeners("SIGHUP")).toHaveLength(before);
    }
  });

  it("in a continuous run reloads; one during start-up is kept until the reloader is there", async () => {
    const lines: string[] = [];
    const triggers: string[] = [];
    const reloader = {
      reload: async (t: { via: string }) => {
        triggers.push(t.via);
        return triggers.length === 1 ? { ok: true } : "busy";
      },
    } as unknown as BundleReloader;
    const hangup = onHangup(logger(lines), "reload");
    process.emit("SIGHUP", "SIGHUP");
    expect(triggers).toEqual([]);
    expect(lines.join()).toMatch(/during start-up/);
    hangup.reloads(reloader);
    expect(triggers).toEqual(["sighup"]);
    process.emit("SIGHUP", "SIGHUP");
    await new Promise((r) => setImmediate(r));
    expect(triggers).toEqual(["sighup", "sighup"]);
    expect(lines.join()).toMatch(/a reload is already running; this signal is dropped/);
    hangup.dispose();
  });
});
