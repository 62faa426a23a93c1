import pino, { type Logger } from "pino";
import { redactSecrets } from "./config/secret-registry.ts";
import type { GlobalSpec } from "./spec.ts";

export type { Logger };

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Flag values (`--log-level`, `--log-format`), already validated; they win over the environment. */
export interface LogOverrides {
  readonly level?: LogLevel | undefined;
  readonly format?: LogFormat | undefined;
}

/**
 * Helr's own logs go to stderr (stdout carries NDJSON). JSON by default; `pretty` for people.
 * Precedence: flags, then `HELR_LOG_LEVEL` / `HELR_LOG_FORMAT`, then the config — so a deployment
 * changes them without a rebuild. An invalid environment value is reported as a warning and
 * ignored (a typo must not silence an operator's logs).
 *
 * Pretty output uses pino-pretty as a synchronous stream in this thread, never a transport:
 * transports load worker files by path, which a single-file bundle does not have. It is loaded
 * only when asked for, so JSON logging (the default) never evaluates it.
 *
 * Every line passes through the secret registry before it is written: a secret, or a value a
 * placeholder took from the environment, never reaches stderr, whatever field or message holds it.
 */
export async function createLogger(
  global: GlobalSpec,
  env: NodeJS.ProcessEnv,
  overrides: LogOverrides = {},
): Promise<Logger> {
  const problems: string[] = [];
  const level = overrides.level ?? fromEnv(env, "HELR_LOG_LEVEL", LOG_LEVELS, problems) ?? global.logLevel;
  const format = logFormat(global, env, overrides, problems);
  const options = {
    level,
    base: { [global.labelKey]: global.labelValue },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    hooks: { streamWrite: redactSecrets },
  };
  const logger =
    format === "pretty"
      ? pino(options, await prettyStream(global.labelKey))
      : pino(options, pino.destination({ dest: 2, sync: true }));
  for (const problem of problems) logger.warn(problem);
  return logger;
}

/** The log format in effect: `--log-format`, then `HELR_LOG_FORMAT`, then `global.log_format`. */
export function logFormat(
  global: GlobalSpec,
  env: NodeJS.ProcessEnv,
  overrides: LogOverrides = {},
  problems: string[] = [],
): LogFormat {
  return overrides.format ?? fromEnv(env, "HELR_LOG_FORMAT", LOG_FORMATS, problems) ?? global.logFormat;
}

function fromEnv<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  allowed: readonly T[],
  problems: string[],
): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = raw.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name}=${JSON.stringify(raw)} is not one of ${allowed.join("|")}; ignored`);
  return undefined;
}

async function prettyStream(labelKey: string): Promise<NodeJS.WritableStream> {
  const { default: pretty } = await import("pino-pretty");
  // process.stderr (synchronous for a terminal, a file and, on Linux, a pipe) rather than fd 2,
  // so the progress line of `run --once` sees each log line and clears itself first.
  return pretty({ destination: process.stderr, sync: true, ignore: `pid,hostname,${labelKey}` });
}
