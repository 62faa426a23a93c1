/** A log that keeps what Helr's servers and observers write, for assertions. */
export interface LogLine {
  readonly level: "error" | "warn" | "info" | "debug";
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export interface RecordingLog {
  readonly lines: LogLine[];
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
  /** The lines at `level`. */
  at(level: LogLine["level"]): LogLine[];
}

/** An empty recording log. */
export function recordingLog(): RecordingLog {
  const lines: LogLine[] = [];
  const push =
    (level: LogLine["level"]) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
    };
  return {
    lines,
    error: push("error"),
    warn: push("warn"),
    info: push("info"),
    debug: push("debug"),
    at: (level) => lines.filter((line) => line.level === level),
  };
}
