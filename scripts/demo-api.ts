/**
 * The demo's stand-in for Okta: the System Log mock from test/support, with new events every few seconds.
 *
 * Usage: `node --import tsx scripts/demo-api.ts [--port 8787] [--log-file FILE] [--every-ms 2000]`
 * Prints one line `HELR_DEMO_URL=<origin>` on stdout once listening; progress goes to stderr.
 * The token is `$HELR_DEMO_TOKEN` (default `helr-demo-token`). With `--log-file`, the event log survives
 * restarts, like Okta's does, so a collector that stored its cursor resumes where it stopped.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type OktaLogEvent, type OktaMock, startOktaMock } from "../test/support/okta-mock.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    "log-file": { type: "string" },
    "every-ms": { type: "string", default: "2000" },
  },
});

const token = process.env.HELR_DEMO_TOKEN ?? "helr-demo-token";
const logFile = values["log-file"];
const saved: OktaLogEvent[] =
  logFile !== undefined && existsSync(logFile)
    ? (JSON.parse(readFileSync(logFile, "utf8")) as OktaLogEvent[])
    : [];

/** Listens on the wanted port, or on any free one if it is taken (resuming then needs the same port). */
async function listen(port: number): Promise<OktaMock> {
  // A new seed per restart keeps new event ids distinct from the saved ones.
  const options = { token, seed: saved.length + 1, startTime: Date.now() - 120_000 };
  try {
    return await startOktaMock({ ...options, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    process.stderr.write(
      `[okta-mock] port ${port} is taken; using a free port (resuming needs the same port)\n`,
    );
    return startOktaMock(options);
  }
}

const mock = await listen(Number(values.port));
const save = (): void => {
  if (logFile !== undefined) writeFileSync(logFile, `${JSON.stringify(mock.events)}\n`);
};
if (saved.length > 0) {
  mock.addEvents(saved);
  mock.addEvents(4, Date.now() - 30_000);
  process.stderr.write(`[okta-mock] kept ${saved.length} earlier events, 4 arrived while you were away\n`);
} else {
  mock.addEvents(25);
  process.stderr.write("[okta-mock] started with 25 events from the last two minutes\n");
}
save();
process.stdout.write(`HELR_DEMO_URL=${mock.url}\n`);

let tick = 0;
const timer = setInterval(() => {
  const count = 1 + (tick++ % 3);
  mock.addEvents(count, Date.now());
  save();
  process.stderr.write(
    `[okta-mock] +${count} new event${count === 1 ? "" : "s"} (${mock.events.length} in the log)\n`,
  );
}, Number(values["every-ms"]));

const stop = async (): Promise<void> => {
  clearInterval(timer);
  await mock.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
