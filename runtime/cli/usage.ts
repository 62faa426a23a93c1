import { HelrError } from "../errors/helr-error.ts";

/** Usage text of the bundle CLI. */
export function usage(version: string): string {
  return `helr ${version} — HTTP API audit-log collector (built by helrc)

Usage:
  helr run [--once] [--source ID]... [--output FILE|URL [--output-rotate daily|size:N]]
           [--record-dir DIR | --replay-dir DIR] [--state-path FILE]
           [--log-level LEVEL] [--log-format json|pretty]
  helr test --source ID [--fresh] [--record-dir DIR | --replay-dir DIR] [--state-path FILE]
  helr validate
  helr state show|reset <source> [--state-path FILE]
  helr state set <source> <key> <value> [--state-path FILE]
  helr state export [--state-path FILE]
  helr state import [--file FILE] [--state-path FILE]
  helr leases [--json]
  helr --help | --version

Commands:
  run        Poll every source on its own schedule and write NDJSON to stdout (or --output:
             a file, http(s)://… batches POSTed, nats://host:port/subject JetStream).
             --once polls each source once, prints a summary on stderr, and exits non-zero
             when any source failed. --output-rotate: a new file each UTC day, or before the
             file passes N MiB. --record-dir saves every response (secrets redacted) as
             DIR/<source>/NNNNNN.json; --replay-dir answers from those files, offline, with
             state kept in memory. SIGTERM/SIGINT finish the current page and exit 0.
  test       Poll one source once without committing state: NDJSON on stdout, then
             requests, pages, events, bytes, why paging stopped and the state it would
             write on stderr. --fresh ignores the stored state.
  validate   Check that every placeholder and secret this bundle needs is available.
  state      Inspect or repair stored positions: show or reset one source, set one key,
             export all state as JSON, import such JSON (from stdin or --file; upserts).
             Opens only the state store, so the sources' secrets are not needed.
  leases     Which replica holds each source's lease, its token and expiry, and the live
             replicas (Redis or Postgres state, global.replicas).

Environment:
  HELR_LOG_LEVEL    trace|debug|info|warn|error (overrides global.log_level; --log-level wins)
  HELR_LOG_FORMAT   json|pretty (overrides global.log_format; --log-format wins)
  HELR_OUTPUT       output file (like --output; "-" is stdout)
  HELR_OUTPUT_ROTATE daily|size:N (like --output-rotate)
  HELR_STATE_PATH   SQLite state file (overrides global.state.path; --state-path wins)
  HELR_STATE_URL    Redis or Postgres URL (overrides global.state.url)
  HELR_NATIVE_DIR   where the embedded SQLite addon is unpacked (default ~/.cache/helr)
`;
}

/** A command-line mistake: printed with a hint, exit code 2. */
export class UsageError extends HelrError {
  constructor(message: string) {
    super("HELR_USAGE", message);
  }
}
