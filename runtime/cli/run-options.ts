import { parseArgs } from "node:util";
import { LOG_FORMATS, LOG_LEVELS, type LogOverrides } from "../log.ts";
import { parseRotate, type RotatePolicy } from "../output/rotation.ts";
import { UsageError } from "./usage.ts";

/**
 * Output settings a deployment may change without rebuilding: flags first, then these variables.
 * (State overrides — HELR_STATE_PATH, HELR_STATE_URL — are resolved by runtime/state/open.ts.)
 */
export const DEPLOY_ENV = {
  output: "HELR_OUTPUT",
  outputRotate: "HELR_OUTPUT_ROTATE",
} as const;

/** Options shared by `run` and `test`. */
export interface CommonOptions {
  readonly sources: readonly string[];
  readonly recordDir: string | undefined;
  readonly replayDir: string | undefined;
  /** `--state-path` (HELR_STATE_PATH and the config are applied by the store opener). */
  readonly statePath: string | undefined;
  readonly log: LogOverrides;
}

export interface RunOptions extends CommonOptions {
  readonly once: boolean;
  /**
   * `--output` / `HELR_OUTPUT`: a file path, a URL, or `-` for stdout. Undefined: the config's
   * `global.output.http.url` when it has one, else stdout.
   */
  readonly output: string | undefined;
  readonly rotate: RotatePolicy | undefined;
}

export interface TestOptions extends CommonOptions {
  /** Start from empty state instead of the stored positions (never written either way). */
  readonly fresh: boolean;
}

type Spec = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

const COMMON: Spec = {
  source: { type: "string", multiple: true, default: [] },
  "record-dir": { type: "string" },
  "replay-dir": { type: "string" },
  "state-path": { type: "string" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
};

/** `helr run` arguments; every mistake is a {@link UsageError} (exit 2). */
export function parseRunOptions(args: readonly string[], env: NodeJS.ProcessEnv): RunOptions {
  const values = parse(args, {
    ...COMMON,
    once: { type: "boolean", default: false },
    output: { type: "string", short: "o" },
    "output-rotate": { type: "string" },
  });
  const outputFlag = str(values.output) ?? nonEmpty(env[DEPLOY_ENV.output]);
  // `-` stays: it names stdout explicitly, over a `global.output.http.url` in the config.
  const output = outputFlag;
  const rotateText = str(values["output-rotate"]) ?? nonEmpty(env[DEPLOY_ENV.outputRotate]);
  let rotate: RotatePolicy | undefined;
  if (rotateText !== undefined) {
    const parsed = parseRotate(rotateText);
    if ("error" in parsed) throw new UsageError(parsed.error);
    if (output === undefined || output === "-")
      throw new UsageError("--output-rotate needs --output FILE (stdout cannot rotate)");
    rotate = parsed;
  }
  return { ...common(values), once: values.once === true, output, rotate };
}

/** `helr test` arguments: exactly one `--source`. */
export function parseTestOptions(args: readonly string[]): TestOptions {
  const values = parse(args, { ...COMMON, fresh: { type: "boolean", default: false } });
  const options = common(values);
  if (options.sources.length !== 1) throw new UsageError("test needs exactly one --source ID");
  return { ...options, fresh: values.fresh === true };
}

type Values = ReturnType<typeof parseArgs>["values"];

function parse(args: readonly string[], options: Spec): Values {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function common(values: Values): CommonOptions {
  const recordDir = str(values["record-dir"]);
  const replayDir = str(values["replay-dir"]);
  if (recordDir !== undefined && replayDir !== undefined) {
    throw new UsageError("--record-dir and --replay-dir cannot be used together");
  }
  return {
    sources: (values.source as string[] | undefined) ?? [],
    recordDir,
    replayDir,
    statePath: str(values["state-path"]),
    log: {
      level: oneOf(values["log-level"], LOG_LEVELS, "--log-level"),
      format: oneOf(values["log-format"], LOG_FORMATS, "--log-format"),
    },
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], flag: string): T | undefined {
  const text = str(value)?.toLowerCase();
  if (text === undefined) return undefined;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`invalid ${flag} "${String(value)}": expected ${allowed.join("|")}`);
}

function str(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value === "") throw new UsageError("an option was given an empty value");
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
