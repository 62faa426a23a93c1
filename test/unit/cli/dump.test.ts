import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type DumpResult, dumpOnce, installDumpOnSigusr1 } from "../../../runtime/cli/dump.ts";
import { forgetSecrets, rememberSecret } from "../../../runtime/config/secret-registry.ts";
import type { GlobalSpec } from "../../../runtime/spec.ts";
import { memoryStore } from "../../../runtime/state/memory.ts";
import { globalSpec } from "../compiler/emit/support/specs.ts";

const METRICS = '# TYPE helr_events_total counter\nhelr_events_total{source="okta"} 42\n';
const uninstall: (() => void)[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const stop of uninstall.splice(0)) stop();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  forgetSecrets();
});

interface Line {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}
function log() {
  const lines: Line[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void lines.push({ level, fields, msg });
  return { lines, log: { info: at("info"), warn: at("warn"), error: at("error") } };
}

async function store() {
  const s = await memoryStore({ path: "" });
  await s.commit("okta", { cursor: "c-17", refresh_token: "rotated-refresh-token-xyz" });
  await s.commit("github", { watermark: "2026-12-07T10:00:00Z" });
  return s;
}

const withDump = (dump: NonNullable<GlobalSpec["dumpOnSigusr1"]>): GlobalSpec => ({
  ...globalSpec("memory"),
  dumpOnSigusr1: dump,
});

/** Sends a real SIGUSR1 to this process and waits for the handler's result. */
function signal(results: DumpResult[], count = results.length + 1): Promise<void> {
  process.kill(process.pid, "SIGUSR1");
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (results.length >= count) {
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
}

describe("SIGUSR1 dump", () => {
  it("logs the state export and the metrics text on a real SIGUSR1, masking known secrets", async () => {
    rememberSecret("rotated-refresh-token-xyz");
    const { lines, log: l } = log();
    const results: DumpResult[] = [];
    uninstall.push(
      installDumpOnSigusr1(withDump({ destination: "log" }), {
        store: await store(),
        metricsText: async () => METRICS,
        log: l,
        now: () => Date.UTC(2026, 11, 7, 10, 0, 0),
        onDump: (r) => void results.push(r),
      }),
    );
    await signal(results);
    expect(results).toEqual([{ ok: true, destination: "log" }]);
    expect(lines).toEqual([
      {
        level: "info",
        msg: "SIGUSR1 dump",
        fields: {
          signal: "SIGUSR1",
          dump: {
            dumped_at: "2026-12-07T10:00:00.000Z",
            state: {
              github: { watermark: "2026-12-07T10:00:00Z" },
              okta: { cursor: "c-17", refresh_token: "REDACTED" },
            },
            metrics: METRICS,
          },
        },
      },
    ]);
  });

  it("writes the dump to the file (path from ${VAR}), state in `helr state export` shape", async () => {
    const dir = await mkdtemp(join(tmpdir(), "helr-dump-"));
    dirs.push(dir);
    const { lines, log: l } = log();
    const results: DumpResult[] = [];
    uninstall.push(
      installDumpOnSigusr1(withDump({ destination: "file", path: "${DUMP_DIR}/helr-dump.json" }), {
        store: await store(),
        metricsText: () => undefined,
        log: l,
        env: { DUMP_DIR: dir },
        onDump: (r) => void results.push(r),
      }),
    );
    await signal(results);
    const path = join(dir, "helr-dump.json");
    expect(results).toEqual([{ ok: true, destination: "file", path }]);
    const written = JSON.parse(await readFile(path, "utf8"));
    expect(written.state).toEqual({
      github: { watermark: "2026-12-07T10:00:00Z" },
      okta: { cursor: "c-17", refresh_token: "rotated-refresh-token-xyz" },
    });
    expect(written.metrics).toBeNull();
    expect(lines.map((x) => x.msg)).toEqual([`SIGUSR1 dump written to ${path}`]);
    // A second signal rewrites the file.
    await signal(results);
    expect(results).toHaveLength(2);
  });

  it("without dump_on_sigusr1 ignores SIGUSR1 with a log line, and the process lives on", async () => {
    const { lines, log: l } = log();
    const results: DumpResult[] = [];
    uninstall.push(
      installDumpOnSigusr1(globalSpec("memory"), {
        store: await store(),
        metricsText: () => undefined,
        log: l,
        onDump: (r) => void results.push(r),
      }),
    );
    await signal(results);
    expect(lines).toEqual([
      { level: "warn", fields: { signal: "SIGUSR1" }, msg: "SIGUSR1 ignored: dump_on_sigusr1 not set" },
    ]);
  });

  it("logs a failed dump instead of throwing", async () => {
    const { lines, log: l } = log();
    const result = await dumpOnce(withDump({ destination: "file", path: "/nonexistent-dir-helr/x.json" }), {
      store: await store(),
      metricsText: async () => METRICS,
      log: l,
    });
    expect(result.ok).toBe(false);
    expect(lines[0]?.level).toBe("error");
    expect(lines[0]?.msg).toMatch(/^SIGUSR1 dump failed: ENOENT/);
  });

  it("stops listening when uninstalled", async () => {
    const before = process.listenerCount("SIGUSR1");
    const stop = installDumpOnSigusr1(globalSpec("memory"), {
      store: await store(),
      metricsText: () => undefined,
      log: log().log,
    });
    expect(process.listenerCount("SIGUSR1")).toBe(before + 1);
    stop();
    expect(process.listenerCount("SIGUSR1")).toBe(before);
  });
});
