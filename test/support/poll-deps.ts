import pino from "pino";
import type { PollDeps } from "../../runtime/engine/poll.ts";
import { sendHttp } from "../../runtime/http/client.ts";
import { NO_EVENTS } from "../../runtime/observe/events.ts";
import type { Sink } from "../../runtime/output/sink.ts";
import { sinkText } from "./sink-text.ts";

/**
 * What `pollSource` needs, for a test: the real HTTP client, no environment, a silent log, a
 * fixed clock (2026-01-01), never stopping; `given` supplies the store and sink and overrides
 * the rest.
 */
export function pollDeps(given: Pick<PollDeps, "store" | "sink"> & Partial<PollDeps>): PollDeps {
  return {
    http: sendHttp,
    env: {},
    log: pino({ level: "silent" }),
    version: "test",
    now: () => new Date("2026-01-01T00:00:00Z"),
    stopping: () => false,
    events: NO_EVENTS,
    ...given,
  };
}

/** A sink that keeps everything written to it as text; flush and close do nothing. */
export function textSink(): Sink & { text: string } {
  const sink = {
    text: "",
    write: async (data: string | Uint8Array) => {
      sink.text += sinkText(data);
    },
    flush: async () => {},
    close: async () => {},
  };
  return sink;
}
