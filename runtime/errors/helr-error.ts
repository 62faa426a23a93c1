import { type ErrorCode, errorEntry, isErrorCode } from "./codes.ts";

/**
 * The base of every error a user can see: a stable code from the catalog (./codes.ts) and a
 * message that names the source, sink or key and the cause — never a secret.
 */
export class HelrError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The code of `error` or of the first coded error in its `cause` chain. */
export function codeOf(error: unknown): ErrorCode | undefined {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (isErrorCode(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The output failure behind `error`, if any: a failed write, flush or rotation, a broken pipe.
 * Such a failure stops the run, since no checkpoint may pass events that were not written.
 */
export function outputFailure(error: unknown): HelrError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof HelrError && errorEntry(e.code).kind === "output") return e;
  }
  return undefined;
}

/** `error` as a coded error: itself when it has a code, else a `HELR_INTERNAL` wrapping it (a bug). */
export function coded(error: unknown): HelrError {
  if (error instanceof HelrError) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const code = codeOf(err);
  return new HelrError(code ?? "HELR_INTERNAL", code ? err.message : `internal error: ${err.message}`, {
    cause: err,
  });
}
