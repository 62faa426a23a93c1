import type { GlobalSpec } from "../../runtime/spec.ts";
import { DEFAULTS } from "./defaults.ts";
import type { RawGlobal } from "./raw-config.ts";
import { unescapeDollars } from "./text.ts";

/** The resolved global settings; every field has a value (defaults from {@link DEFAULTS}). */
export function buildGlobal(raw: RawGlobal | undefined): GlobalSpec {
  return {
    logLevel: raw?.log_level ?? DEFAULTS.logLevel,
    logFormat: raw?.log_format ?? DEFAULTS.logFormat,
    labelKey: unescapeDollars(raw?.source_label_key ?? DEFAULTS.labelKey),
    labelValue: unescapeDollars(raw?.source_label_value ?? DEFAULTS.globalLabelValue),
    state: {
      backend: raw?.state?.backend ?? DEFAULTS.stateBackend,
      path: raw?.state?.path ?? DEFAULTS.statePath,
    },
  };
}
