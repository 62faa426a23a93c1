/**
 * `npm run demo`: the newcomer's one command. Builds sources/demo.yaml into .helr-demo/helr.js, starts a
 * local Okta System Log stand-in (scripts/demo-api.ts), runs the bundle against it for ~20 s with NDJSON
 * on stdout, then explains what happened. Only node builtins here, so it runs before `npm ci`.
 *
 * HELR_DEMO_SECONDS overrides the run time. Commentary goes to stderr, so stdout stays pure NDJSON.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEMO_DIR = join(ROOT, ".helr-demo");
const SECONDS = Number(process.env.HELR_DEMO_SECONDS ?? "20");
const TOKEN = "helr-demo-token";
const say = (line) => process.stderr.write(line === "" ? "\n" : `[demo] ${line}\n`);

function runStep(title, command, args) {
  say(title);
  // stdout carries only NDJSON, so tool output goes to stderr.
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) {
    say(`failed: ${command} ${args.join(" ")} (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

/** Starts scripts/demo-api.ts and resolves with its URL once it prints `HELR_DEMO_URL=…`. */
function startApi(env) {
  const args = ["--import", "tsx", "scripts/demo-api.ts", "--log-file", join(DEMO_DIR, "okta-mock-log.json")];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error("the mock API did not start within 20 s"));
    }, 20_000);
    child.once("exit", (code) => reject(new Error(`the mock API exited early (code ${code})`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!line.startsWith("HELR_DEMO_URL=")) return;
      clearTimeout(timeout);
      resolve({ child, url: line.slice("HELR_DEMO_URL=".length) });
    });
  });
}

/** Ends a child gently, then firmly after 5 s; resolves when it is gone. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Runs the bundle until the timer, Ctrl-C, or its own exit; counts NDJSON lines passed to stdout. */
function runBundle(env) {
  const helr = spawn(process.execPath, ["helr.js", "run"], {
    cwd: DEMO_DIR,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const started = Date.now();
  let events = 0;
  createInterface({ input: helr.stdout }).on("line", (line) => {
    if (line.trim() === "") return;
    events++;
    process.stdout.write(`${line}\n`);
  });
  return new Promise((resolve) => {
    let stoppedByUs = false;
    const stop = () => {
      stoppedByUs = true;
      void stopChild(helr);
    };
    const timer = setTimeout(stop, SECONDS * 1000);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    helr.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ events, stoppedByUs, code, signal, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

function explain({ events, stoppedByUs, code, signal, seconds }) {
  const state = relative(process.cwd(), join(DEMO_DIR, "helr-state.db")) || "helr-state.db";
  const lines = [
    "",
    `Helr printed ${events} NDJSON line${events === 1 ? "" : "s"} (one per Okta event) in ${seconds} s.`,
    ...(stoppedByUs ? [] : [`note: helr.js stopped by itself (code ${code}, signal ${signal}).`]),
    `Its state (the stored next link for okta-demo) is in ${state}.`,
    "Try next:",
    "  npm run demo            run it again: Helr resumes from the stored cursor, so only new events print",
    "  cat sources/demo.yaml   the source definition; node .helr-demo/helr.js --help for the bundle's CLI",
    "  rm -r .helr-demo        start over from an empty state",
  ];
  for (const line of lines) say(line);
}

async function main() {
  if (!existsSync(join(ROOT, "node_modules"))) runStep("installing dependencies (npm ci)…", "npm", ["ci"]);
  mkdirSync(DEMO_DIR, { recursive: true });
  const build = ["bin/helrc.mjs", "build", "sources/demo.yaml", "-o", ".helr-demo/helr.js"];
  runStep("building sources/demo.yaml → .helr-demo/helr.js", process.execPath, build);
  const env = { ...process.env, HELR_DEMO_TOKEN: TOKEN };
  const api = await startApi(env);
  say(
    `mock Okta System Log listening on ${api.url}; Helr polls it every ~5 s for ${SECONDS} s (Ctrl-C stops)`,
  );
  say(`state is kept in ${join(".helr-demo", "helr-state.db")}`);
  try {
    const outcome = await runBundle({ ...env, HELR_DEMO_URL: api.url });
    explain(outcome);
    if (!outcome.stoppedByUs && outcome.code !== 0) process.exitCode = 1;
  } finally {
    await stopChild(api.child);
  }
}

main().catch((error) => {
  say(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
