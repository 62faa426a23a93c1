/**
 * What to change when a poll fails for a reason only the user can fix: a refused credential, a
 * missing scope or plan, a malformed request, a wrong URL. The advice names the variables and
 * files the source reads (never their values), so `run --once`, `test` and the logs say what to
 * do, not only what the API answered. Pure: the error and the spec in, text out.
 */
import type { AuthSpec, SecretRef, SourceSpec } from "../spec.ts";

type Kind = "credentials" | "scope" | "entitlement" | "forbidden" | "request" | "not_found";

/** Error strings of APIs that answer `{"ok": false, "error": …}` (Slack and its kind). */
const API_ERRORS: Readonly<Record<string, Kind>> = {
  not_authed: "credentials",
  invalid_auth: "credentials",
  missing_authentication: "credentials",
  invalid_authentication: "credentials",
  token_revoked: "credentials",
  token_expired: "credentials",
  account_inactive: "credentials",
  missing_scope: "scope",
  no_permission: "scope",
  not_allowed_token_type: "scope",
  user_not_authorized: "scope",
  feature_not_enabled: "entitlement",
  team_not_authorized: "entitlement",
  invalid_workspace: "entitlement",
  paid_only: "entitlement",
  invalid_arguments: "request",
  invalid_args: "request",
};

const STATUSES: Readonly<Record<number, Kind>> = {
  400: "request",
  401: "credentials",
  403: "forbidden",
  404: "not_found",
  422: "request",
};

/**
 * The advice for a failed poll, or undefined when the failure is not the user's to fix
 * (transport errors, 5xx and 429 after every retry, a circuit that is open).
 */
export function fixHint(error: unknown, spec: SourceSpec): string | undefined {
  const kind = kindOf(error);
  if (kind === undefined) return undefined;
  const creds = describeAuth(spec.auth);
  switch (kind) {
    case "credentials":
      return `the API refused the credentials: check that ${creds} holds a valid, current credential for this API (issue a new one if it was revoked or has expired)`;
    case "scope":
      return `the credentials were accepted but lack a permission this API needs: grant the missing scope or role to ${creds}, or use a credential that has it`;
    case "entitlement":
      return "the account is not allowed to use this API: check that its plan includes the API, and that the app or key was installed at the level the API requires (e.g. the organization, by an owner)";
    case "forbidden":
      return `access was refused: check that ${creds} has the scope or permission this endpoint needs, and that the account's plan includes this API`;
    case "request":
      return "the API rejected the request as invalid (its answer says what): check the source's url, query parameters and body against the API's documentation";
    case "not_found":
      return `the API has no such endpoint or tenant: check the url${placeholders(spec.url)}`;
  }
}

/** Appends the advice to the error's message, in place (its class and code stay as they are). */
export function withFixHint<E extends Error>(error: E, spec: SourceSpec): E {
  const hint = fixHint(error, spec);
  if (hint !== undefined && !error.message.includes("; to fix: ")) error.message += `; to fix: ${hint}`;
  return error;
}

function kindOf(error: unknown): Kind | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, status, tried } = error as Error & { code?: unknown; status?: unknown; tried?: unknown };
  // A retryable status still failing after every attempt is the API's trouble, not the config's.
  if (tried !== undefined) return undefined;
  if (code === "HELR_API_ERROR") {
    const name = /API error: ([A-Za-z0-9_.-]+)/.exec(error.message)?.[1];
    return name === undefined ? undefined : API_ERRORS[name];
  }
  if (typeof status === "number") return STATUSES[status];
  return undefined;
}

/** "environment variable SLACK_TOKEN", "file /run/secrets/t (or environment variable T)". */
function describeSecret(ref: SecretRef | undefined): string | undefined {
  if (ref === undefined) return undefined;
  const env = ref.env !== undefined ? `environment variable ${ref.env}` : undefined;
  if (ref.file === undefined) return env;
  return env === undefined ? `file ${ref.file}` : `file ${ref.file} (or ${env})`;
}

function describeAuth(auth: AuthSpec | undefined): string {
  const from = (what: string, ref: SecretRef | undefined) => {
    const where = describeSecret(ref);
    return where === undefined ? what : `the ${what} in ${where}`;
  };
  switch (auth?.type) {
    case undefined:
      return "the credentials (the source sends none; add an `auth` block)";
    case "bearer":
      return from("token", auth.token);
    case "api_key":
      return from("API key", auth.key);
    case "basic":
      return auth.password === undefined
        ? `${from("user name", auth.user)} (sent with an empty password)`
        : `${from("user name", auth.user)} and ${from("password", auth.password)}`;
    case "oauth2":
      return `the OAuth2 client (${from("client id", auth.clientId)})`;
    case "google_service_account":
      return `the service account (${from("key", auth.credentials)})`;
  }
}

/** " (and SLACK_API_HOST, TAILNET)" for the placeholders a URL is built from. */
function placeholders(url: string): string {
  const names = [...url.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string);
  return names.length === 0 ? "" : ` and the variables it is built from (${[...new Set(names)].join(", ")})`;
}
