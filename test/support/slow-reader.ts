/**
 * A consumer slower than the collector: a bundle run whose stdout the test reads through a pipe at
 * a fixed byte rate, while the child's resident memory is sampled from /proc/<pid>/status.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** Resident memory over a run, in MB (MiB): first and last VmRSS sampled, and VmHWM (the peak). */
export interface RssFigures {
  readonly startMb: number;
  readonly peakMb: number;
  readonly endMb: number;
  readonly samples: number;
}

export interface SlowRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  readonly rss: RssFigures;
}

/** VmRSS and VmHWM of a live process in kB, or undefined once it is gone. */
export function rssSample(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    const sample = { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
    return Number.isNaN(sample.rssKb) ? undefined : sample;
  } catch {
    return undefined;
  }
}

/**
 * Runs `node bundle ...args` and reads its stdout at `bytesPerSec`: after each chunk the stream is
 * paused for as long as that chunk takes at the rate, so the pipe fills and the collector's writes
 * wait. RSS is sampled every `sampleMs` (default 10).
 */
export function runAtFixedRate(
  bundle: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; bytesPerSec: number; sampleMs?: number },
): Promise<SlowRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [bundle, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: Buffer[] = [];
  let stderr = "";
  // The reader's own clock: each chunk is due `length / rate` after the previous one.
  let due = performance.now();
  child.stdout.on("data", (d: Buffer) => {
    chunks.push(d);
    due = Math.max(due, performance.now()) + (d.length / options.bytesPerSec) * 1000;
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), Math.max(0, due - performance.now()));
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const rss: number[] = [];
  let hwmKb = 0;
  const sample = () => {
    const s = child.pid === undefined ? undefined : rssSample(child.pid);
    if (s === undefined) return;
    rss.push(s.rssKb);
    hwmKb = Math.max(hwmKb, s.hwmKb);
  };
  const timer = setInterval(sample, options.sampleMs ?? 10);
  const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", () => clearInterval(timer));
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(chunks).toString(),
        stderr,
        wallMs: performance.now() - started,
        rss: {
          startMb: mb(rss[0] ?? 0),
          peakMb: mb(hwmKb),
          endMb: mb(rss.at(-1) ?? 0),
          samples: rss.length,
        },
      }),
    );
  });
}
