/**
 * How the CLI ends a command early. Anything else that is thrown is a helrc bug.
 */

/** Bad command line: usage hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A problem the user can fix that is not a diagnostic (unreadable input, unwritable output): exit 1. */
export class UserError extends Error {
  override readonly name = "UserError";
}

/** Exit codes: success, errors in the input (or unrecoverable I/O), bad usage. */
export const EXIT = { ok: 0, errors: 1, usage: 2 } as const;

/** `ENOENT: no such file or directory, open 'x'` → `no such file or directory`. */
export function describeFsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^E[A-Z]+: ([^,]+)/.exec(message);
  return match?.[1] ?? message;
}
