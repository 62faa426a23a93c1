import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import type { GlobalSpec } from "./spec.ts";

export type { Logger };

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

/**
 * Helr's own logs go to stderr (stdout carries NDJSON). JSON by default; `pretty` for people.
 * `HELR_LOG_LEVEL` and `HELR_LOG_FORMAT` override the config without a rebuild.
 */
export function createLogger(global: GlobalSpec, env: NodeJS.ProcessEnv): Logger {
  const envLevel = env.HELR_LOG_LEVEL?.toLowerCase();
  const level = envLevel && LEVELS.has(envLevel) ? envLevel : global.logLevel;
  const format =
    env.HELR_LOG_FORMAT?.toLowerCase() === "pretty"
      ? "pretty"
      : env.HELR_LOG_FORMAT
        ? "json"
        : global.logFormat;
  const options = {
    level,
    base: { [global.labelKey]: global.labelValue },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (format === "pretty") {
    return pino(options, pretty({ destination: 2, sync: true, ignore: `pid,hostname,${global.labelKey}` }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
