/**
 * The audit log: who read which credential, and when the configuration was loaded.
 *
 * Off unless `global.audit.enabled`. The CLI calls {@link configureAudit} once at startup with the
 * process logger; authenticators and the TLS loader call {@link auditCredential} after every
 * successful secret read. Lines carry the source id and the kind of credential, never a value,
 * a path's content or a length. Until `configureAudit` runs, nothing is logged (and nothing is
 * buffered: the CLI configures audit before any source starts, unlike the reference, whose
 * startup audit lines were lost).
 */
import { redactSecrets } from "./config/secret-registry.ts";
import type { Logger } from "./log.ts";
import type { GlobalSpec } from "./spec.ts";

/** Every kind of credential Helr reads (the reference's names, so dashboards carry over). */
export type CredentialKind =
  | "bearer_token"
  | "api_key"
  | "basic_user"
  | "basic_password"
  | "oauth2_client_id"
  | "oauth2_client_secret"
  | "oauth2_client_private_key"
  | "oauth2_refresh_token"
  | "google_service_account_credentials"
  | "google_service_account_subject"
  | "tls_ca"
  | "tls_client_cert"
  | "tls_client_key"
  | "api_token";

interface AuditState {
  readonly log: Logger;
  readonly credentials: boolean;
  readonly config: boolean;
}

/**
 * Process-wide, on `globalThis` under a `Symbol.for` key: a bundle loaded again on reload (its own
 * copy of this module, runtime/control/reload-bundle.ts) audits into the same log.
 */
const AUDIT = Symbol.for("helr.audit");
const sharedAudit = globalThis as unknown as { [AUDIT]?: { state: AuditState | undefined } };
sharedAudit[AUDIT] ??= { state: undefined };
const holder: { state: AuditState | undefined } = sharedAudit[AUDIT];

/**
 * Turns the audit log on or off for this process (`settings.enabled`); called by the CLI at startup
 * and again after a reload. Passing `undefined` turns it off (tests).
 */
export function configureAudit(log: Logger | undefined, settings: GlobalSpec["audit"] | undefined): void {
  holder.state =
    log !== undefined && settings?.enabled === true
      ? { log, credentials: settings.logCredentialAccess, config: settings.logConfigChanges }
      : undefined;
}

/** Records that a source read a credential (`audit: credential accessed`, fields `source`, `kind`). */
export function auditCredential(sourceId: string, kind: CredentialKind): void {
  if (holder.state?.credentials)
    holder.state.log.info({ audit: true, source: sourceId, kind }, "audit: credential accessed");
}

/** Records a configuration load (`audit: config loaded` / `audit: config reloaded`, field `path`). */
export function auditConfigLoaded(path: string, reloaded = false): void {
  if (holder.state?.config)
    holder.state.log.info(
      { audit: true, path },
      reloaded ? "audit: config reloaded" : "audit: config loaded",
    );
}

/**
 * Records that the state store fell back to memory (`audit: state store fallback activated`) or
 * that the primary is back and holds the newest positions again (`… deactivated`). Logged
 * whenever the audit log is on: state durability is a configuration fact an auditor needs.
 */
export function auditStateFallback(active: boolean): void {
  if (holder.state)
    holder.state.log.info(
      { audit: true, stateStoreFallback: active },
      active ? "audit: state store fallback activated" : "audit: state store fallback deactivated",
    );
}

/** The caller's address for audit lines (`?` when the socket was already gone). */
type Remote = string | undefined;

/**
 * Records a REST API call that changes something (`audit: poll triggered`, `audit: reload
 * requested`) with the caller's address. Logged whenever the audit log is on: who steered the
 * collector is what an auditor asks first. `fields` hold ids and outcomes, never a value read
 * from a secret.
 */
export function auditApiCall(action: string, fields: Readonly<Record<string, unknown>>): void {
  if (holder.state)
    holder.state.log.info(
      { audit: true, ...fields },
      action.startsWith("audit: ") ? action : `audit: ${action}`,
    );
}

/** Records a refused REST API request (`audit: api unauthorized`): address, method, path, why. */
export function auditApiUnauthorized(
  remote: Remote,
  method: string | undefined,
  path: string | undefined,
  reason: "missing token" | "wrong token",
): void {
  if (holder.state)
    holder.state.log.info(
      { audit: true, remote: remote ?? "?", method: method ?? "?", path: path ?? "?", reason },
      "audit: api unauthorized",
    );
}

/** Records a successful reload (`audit: config reloaded`), with what triggered it and from where. */
export function auditConfigReloaded(path: string, trigger: "sighup" | "api", remote?: Remote): void {
  if (holder.state?.config)
    holder.state.log.info(
      { audit: true, path, trigger, ...(remote !== undefined ? { remote } : {}) },
      "audit: config reloaded",
    );
}

/**
 * Records a refused reload (`audit: reload rejected`): the old configuration keeps running. The
 * reason is masked with the secret registry here (and again by the logger, like every line).
 */
export function auditReloadRejected(
  path: string,
  reason: string,
  trigger: "sighup" | "api",
  remote?: Remote,
): void {
  if (holder.state?.config)
    holder.state.log.info(
      {
        audit: true,
        path,
        trigger,
        reason: redactSecrets(reason),
        ...(remote !== undefined ? { remote } : {}),
      },
      "audit: reload rejected",
    );
}
