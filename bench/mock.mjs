/** Starts bench/mock-server.ts in its own process and stops it by its pid. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("./mock-server.ts", import.meta.url));

/**
 * @param {{events: number, pageSize: number, eventBytes: number, bigMb?: number}} options
 * @returns {Promise<{url: string, pages: number, events: number, bytes: number, bigBytes: number, eventBytes: number, pid: number, stop(): Promise<void>}>}
 */
export async function startMock(options) {
  const args = [
    "--import",
    "tsx",
    SERVER,
    "--events",
    String(options.events),
    "--page-size",
    String(options.pageSize),
    "--event-bytes",
    String(options.eventBytes),
    "--big-mb",
    String(options.bigMb ?? 0),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const info = await new Promise((resolve, reject) => {
    let out = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`bench mock exited early (code ${code})`)));
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve(JSON.parse(line));
    });
  });
  child.removeAllListeners("exit");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    ...info,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
