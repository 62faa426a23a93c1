/**
 * Child processes measured from the outside: wall time, CPU time and peak RSS.
 *
 * Peak RSS and CPU come from `/usr/bin/time -f` (the kernel's rusage of the child) when that
 * binary exists; otherwise `/proc/<pid>/status` (VmHWM) and `/proc/<pid>/stat` (utime + stime)
 * are polled every 20 ms, which can miss the last few milliseconds of a run.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TIME = "/usr/bin/time";
const CLOCK_TICKS = 100;

/** True when peak RSS and CPU are read from /usr/bin/time rather than polled from /proc. */
export const usesTimeBinary = existsSync(TIME);

/**
 * Runs `command args` to completion; `options.stdoutFile` sends its stdout to that file.
 * @returns {Promise<{code: number|null, wallMs: number, cpuMs: number, peakRssKb: number, stdout: string, stderr: string}>}
 */
export async function measure(command, args, options = {}) {
  const { stdoutFile, ...spawnOptions } = options;
  const report = join(tmpdir(), `helr-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [file, argv] = usesTimeBinary
    ? [TIME, ["-f", "%e %U %S %M", "-o", report, command, ...args]]
    : [command, args];
  const started = process.hrtime.bigint();
  // stdout to a file (large NDJSON) or collected.
  const out = stdoutFile ? openSync(stdoutFile, "w") : "pipe";
  const child = spawn(file, argv, { stdio: ["ignore", out, "pipe"], ...spawnOptions });
  if (typeof out === "number") closeSync(out);
  const polled = usesTimeBinary ? undefined : pollProc(child.pid);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c));
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!usesTimeBinary) {
    const last = polled.stop();
    return { code, wallMs, cpuMs: last.cpuMs, peakRssKb: last.peakRssKb, stdout, stderr };
  }
  const [, user, sys, rss] = readFileSync(report, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
  rmSync(report, { force: true });
  return { code, wallMs, cpuMs: (user + sys) * 1000, peakRssKb: rss, stdout, stderr };
}

/** Polls a process's peak RSS and CPU time until stopped. */
function pollProc(pid) {
  const last = { cpuMs: 0, peakRssKb: 0 };
  const read = () => {
    const sample = procSample(pid);
    if (sample)
      Object.assign(last, { cpuMs: sample.cpuMs, peakRssKb: Math.max(last.peakRssKb, sample.peakRssKb) });
  };
  const timer = setInterval(read, 20);
  return {
    stop() {
      clearInterval(timer);
      return last;
    },
  };
}

/** CPU time (utime + stime), peak and current RSS of a live process, or undefined once it is gone. */
export function procSample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { cpuMs: (ticks * 1000) / CLOCK_TICKS, peakRssKb: kb("VmHWM"), rssKb: kb("VmRSS") };
  } catch {
    return undefined;
  }
}

/** Median of a non-empty list. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
