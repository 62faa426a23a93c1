/**
 * Run-time resolution of `${VAR}` placeholders.
 *
 * Placeholders stay unresolved in generated code and in the bundle; they are read from
 * the environment when a source starts, so one bundle serves many deployments.
 * Forms: `${VAR}`, `${VAR:-default}` (default when unset or empty), `$$` for a literal `$`.
 * A lone `$` not followed by `{` or `$` is kept as is.
 */

import { HelrError } from "../errors/helr-error.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** An unset placeholder: names the variable and, when known, the source. */
export class PlaceholderError extends HelrError {
  constructor(
    readonly variable: string,
    readonly sourceId: string | undefined,
  ) {
    super(
      "HELR_ENV_UNSET",
      `${sourceId ? `source "${sourceId}": ` : ""}environment variable ${variable} is not set ` +
        `(used as \${${variable}}; set it, or write \${${variable}:-default})`,
    );
  }
}

const PLACEHOLDER = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Expands placeholders in `text`; throws {@link PlaceholderError} for an unset variable without
 * default. `onValue` sees every value taken from the environment (not defaults written in the
 * config), so callers can treat those as secrets.
 */
export function expand(text: string, env: Env, sourceId?: string, onValue?: (value: string) => void): string {
  if (!text.includes("$")) return text;
  return text.replace(PLACEHOLDER, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$$") return "$";
    const key = name as string;
    const value = env[key];
    if (value !== undefined && value !== "") {
      onValue?.(value);
      return value;
    }
    if (fallback !== undefined) return fallback;
    if (value === "") return "";
    throw new PlaceholderError(key, sourceId);
  });
}

/** Expands every value of a string map. */
export function expandMap(
  map: Readonly<Record<string, string>>,
  env: Env,
  sourceId?: string,
  onValue?: (value: string) => void,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) out[key] = expand(value, env, sourceId, onValue);
  return out;
}
