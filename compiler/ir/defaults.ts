/**
 * Every default the compiler fills into the IR, in one table. The JSON Schema shows the
 * same values as `default` annotations, so `helrc schema` and the IR cannot disagree.
 */
export const DEFAULTS = {
  method: "get",
  intervalSecs: 60,
  jitterSecs: 0,
  timeoutSecs: 30,
  bearerPrefix: "Bearer",
  linkRel: "next",
  maxPages: 100,
  labelKey: "source",
  globalLabelValue: "helr",
  logLevel: "info",
  logFormat: "json",
  stateBackend: "sqlite",
  statePath: "./helr-state.db",
} as const;
