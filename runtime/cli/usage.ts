/** Usage text of the bundle CLI. */
export function usage(version: string): string {
  return `helr ${version} — HTTP API audit-log collector (built by helrc)

Usage:
  helr run [--once] [--source ID]... [--output FILE] [--state-path FILE]
  helr validate
  helr --help | --version

Commands:
  run        Poll every source on its own schedule and write NDJSON to stdout (or --output).
             --once polls each source once, prints a summary on stderr, and exits non-zero
             when any source failed.
  validate   Check that every placeholder and secret this bundle needs is available.

Environment:
  HELR_LOG_LEVEL    trace|debug|info|warn|error (overrides global.log_level)
  HELR_LOG_FORMAT   json|pretty (overrides global.log_format)
  HELR_STATE_PATH   SQLite state file (overrides global.state.path)
  HELR_NATIVE_DIR   where the embedded SQLite addon is unpacked (default ~/.cache/helr)
`;
}

/** A command-line mistake: printed with a hint, exit code 2. */
export class UsageError extends Error {}
