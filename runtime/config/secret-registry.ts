/**
 * The values this process must never write anywhere: every secret read from a file or variable,
 * every token a token endpoint issued, every credential an authenticator put on a request, and
 * every value a `${VAR}` placeholder took from the environment inside a source's headers, query
 * parameters, body or URL query (values in a URL's host and path may stay visible). Whatever the
 * product writes — logs (the logger's write hook), error messages (http/redact.ts applies this),
 * recordings, `helr test` output, API responses — passes through {@link redactSecrets}.
 *
 * Identifiers that events legitimately contain (an OAuth client id, a Basic user name next to a
 * password, the impersonated user) are masked in logs and messages too, but not in recorded
 * response bodies, where masking them would corrupt the events a replay reproduces.
 *
 * One registry per process, like the audit log: secrets belong to the process, not to a call site.
 * It lives on `globalThis` under a `Symbol.for` key, so a bundle loaded again on reload (its own
 * copy of this module, runtime/control/reload-bundle.ts) remembers into, and masks with, the same one.
 */

/** Values shorter than this are not masked (they would blank out ordinary words and numbers). */
export const MIN_SECRET_LENGTH = 4;

export type SecretKind = "secret" | "identifier";

const MASK = "REDACTED";
interface Registry {
  readonly values: Map<string, SecretKind>;
  /** The compiled masks; null: nothing to mask; undefined: to be built. */
  pattern: RegExp | null | undefined;
  secretPattern: RegExp | null | undefined;
}

const REGISTRY = Symbol.for("helr.secret-registry");
const shared = globalThis as unknown as { [REGISTRY]?: Registry };
shared[REGISTRY] ??= { values: new Map(), pattern: undefined, secretPattern: undefined };
const registry: Registry = shared[REGISTRY];
const values = registry.values;

/** Remembers a value to mask from now on (also its URL-, form- and JSON-encoded forms). */
export function rememberSecret(value: string, kind: SecretKind = "secret"): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  const known = values.get(value);
  if (known === "secret" || known === kind) return;
  values.set(value, kind);
  registry.pattern = undefined;
  registry.secretPattern = undefined;
}

/** `text` with every remembered value (secrets and identifiers) replaced by `REDACTED`. */
export function redactSecrets(text: string): string {
  if (values.size === 0) return text;
  registry.pattern ??= build(() => true);
  return registry.pattern === null ? text : text.replace(registry.pattern, MASK);
}

/** `text` with the remembered secrets replaced, identifiers left (recorded response bodies). */
export function redactSecretsOnly(text: string): string {
  if (values.size === 0) return text;
  registry.secretPattern ??= build((kind) => kind === "secret");
  return registry.secretPattern === null ? text : text.replace(registry.secretPattern, MASK);
}

/** The remembered secret values (not identifiers), for code that masks bytes itself. */
export function knownSecretValues(): string[] {
  return [...values].filter(([, kind]) => kind === "secret").map(([value]) => value);
}

/** Forgets everything (tests). */
export function forgetSecrets(): void {
  values.clear();
  registry.pattern = undefined;
  registry.secretPattern = undefined;
}

function build(keep: (kind: SecretKind) => boolean): RegExp | null {
  const needles = new Set<string>();
  for (const [value, kind] of values) {
    if (!keep(kind)) continue;
    for (const form of encodings(value)) if (form.length >= MIN_SECRET_LENGTH) needles.add(form);
  }
  if (needles.size === 0) return null;
  // Longest first, so a secret that contains another is masked whole.
  const sorted = [...needles].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(sorted.join("|"), "g");
}

/** The forms a value takes in a URL, a form body and a JSON string. */
function encodings(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
