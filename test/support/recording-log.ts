import type { SinkLog } from "../../runtime/output/delivery-retry.ts";

/** One log call: its level, fields and message. */
export interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly fields: unknown;
  readonly msg: string;
}

/** A logger with pino's call shape that keeps every call, for asserting on what a sink reported. */
export function recordingLog(): { readonly lines: LogLine[]; readonly log: SinkLog } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (fields: unknown, msg?: string): void =>
      void lines.push({ level, fields, msg: msg ?? "" });
  const log = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { lines, log: log as unknown as SinkLog };
}
