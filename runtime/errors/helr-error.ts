import { type ErrorCode, errorEntry, isErrorCode } from "./codes.ts";

/** Marks Helr's errors, in every copy of the runtime (a `Symbol.for` key). */
const HELR_ERROR = Symbol.for("helr.error");

/**
 * The base of every error a user can see: a stable code from the catalog (./codes.ts) and a
 * message that names the source, sink or key and the cause — never a secret.
 *
 * `instanceof` also matches an error from another copy of the runtime — a bundle loaded again
 * on reload (runtime/control/reload-bundle.ts) brings its own classes, and its authenticators
 * throw them into this copy's engine: such an error is marked as Helr's, and matches a class
 * when a class of the same name is on its prototype chain (both copies are built from the same
 * runtime, with the same names).
 */
export class HelrError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== "object" || value === null || !(HELR_ERROR in value)) return false;
    for (let p = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
      if (Object.hasOwn(p, "constructor") && (p.constructor as { name?: unknown }).name === this.name)
        return true;
    }
    return false;
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}
Object.defineProperty(HelrError.prototype, HELR_ERROR, { value: true });

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
