/**
 * The same backfill into the three outputs: a file (fsynced per page), the HTTP sink POSTing to a
 * loopback receiver that answers 204 once it has read each body, and the NATS sink publishing to
 * JetStream on a private `nats-server -js` (never the shared one), acks awaited. Each run starts
 * from nothing (fresh state, empty receiver, new stream); the delivered line count is checked.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { backfillConfig, build, TMP, writeText } from "./bundle.mjs";
import { startMock } from "./mock.mjs";
import { measure, median } from "./proc.mjs";
import { describe, rates, runHelr, TOKEN } from "./throughput.mjs";

const SUBJECT = "bench.events";

/** Runs file, HTTP and NATS `options.runs` times each, interleaved; returns the medians. */
export async function sinks(options, log) {
  const dir = join(TMP, "sinks");
  const bundle = await build(writeText(join(dir, "helr.yaml"), backfillConfig()), join(dir, "helr.js"));
  const mock = await startMock(options);
  const receiver = await startReceiver();
  const nats = await startNats();
  const runs = { file: [], http: [], nats: [] };
  try {
    for (let round = 0; round < options.runs; round++) {
      runs.file.push(await runHelr(bundle, mock, dir, mock.events));
      log(`  file #${round + 1}: ${describe(runs.file.at(-1))}`);
      receiver.lines = 0;
      runs.http.push(await runNetwork(bundle, mock, dir, receiver.url, () => receiver.lines));
      log(`  http #${round + 1}: ${describe(runs.http.at(-1))}, ${receiver.requests} POSTs`);
      await nats.resetStream();
      runs.nats.push(await runNetwork(bundle, mock, dir, nats.url, () => nats.count()));
      log(`  nats #${round + 1}: ${describe(runs.nats.at(-1))}`);
    }
  } finally {
    await mock.stop();
    await receiver.close();
    await nats.close();
  }
  const side = (list) => ({
    eventsPerSec: median(list.map((r) => r.eventsPerSec)),
    peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
    wallMs: median(list.map((r) => r.wallMs)),
    cpuMs: median(list.map((r) => r.cpuMs)),
  });
  return {
    events: mock.events,
    file: side(runs.file),
    http: side(runs.http),
    nats: side(runs.nats),
    runs,
  };
}

async function runNetwork(bundle, mock, dir, url, delivered) {
  const state = join(dir, "state.db");
  for (const f of [state, `${state}-wal`, `${state}-shm`]) rmSync(f, { force: true });
  const env = { ...process.env, HELR_BENCH_URL: mock.url, HELR_BENCH_TOKEN: TOKEN, HELR_BENCH_STATE: state };
  const run = await measure(process.execPath, [bundle, "run", "--once", "--output", url], { env, cwd: dir });
  if (run.code !== 0) throw new Error(`${url} run failed (exit ${run.code}):\n${run.stderr}`);
  const lines = await delivered();
  if (lines !== mock.events) throw new Error(`${url}: ${lines} lines delivered, expected ${mock.events}`);
  return rates(run, mock.events, mock.bytes);
}

/** A receiver that counts lines and answers 204 after reading each body. */
async function startReceiver() {
  const state = { lines: 0, requests: 0 };
  const server = createHttpServer(async (req, res) => {
    for await (const chunk of req) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) state.lines++;
    }
    state.requests++;
    res.writeHead(204).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    get lines() {
      return state.lines;
    },
    set lines(n) {
      state.lines = n;
      state.requests = 0;
    },
    get requests() {
      return state.requests;
    },
    url: `http://127.0.0.1:${server.address().port}/ingest`,
    close: () => new Promise((done) => server.close(done)),
  };
}

/** A private JetStream server on a free port, with one file-backed stream. */
async function startNats() {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), "helr-bench-nats-"));
  const proc = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise((resolve, reject) => {
    let output = "";
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (c) => {
      output += c;
      if (output.includes("Server is ready")) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`nats-server exited (${code}):\n${output}`)));
  });
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const jsm = await jetstreamManager(nc);
  return {
    url: `nats://127.0.0.1:${port}/${SUBJECT}`,
    resetStream: async () => {
      await jsm.streams.delete("BENCH").catch(() => false);
      await jsm.streams.add({ name: "BENCH", subjects: [SUBJECT], duplicate_window: 600e9 });
    },
    count: async () => (await jsm.streams.info("BENCH")).state.messages,
    close: async () => {
      await nc.close();
      proc.kill("SIGKILL");
      rmSync(store, { recursive: true, force: true });
    },
  };
}

async function freePort() {
  const probe = createNetServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address();
  await new Promise((done) => probe.close(done));
  return port;
}
