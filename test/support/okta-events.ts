/**
 * Realistic Okta System Log `LogEvent` objects, generated deterministically from a seed.
 * Field order follows the Okta documentation sample, so JSON output keeps a stable, vendor-like order.
 */
import { type SeededRandom, seededRandom } from "./seeded-random.ts";

/** An Okta System Log event as the API returns it (only the fields the mock fills are typed). */
export interface OktaLogEvent {
  readonly uuid: string;
  readonly published: string;
  readonly eventType: string;
  readonly severity: "DEBUG" | "INFO" | "WARN" | "ERROR";
  readonly displayMessage: string;
  readonly [key: string]: unknown;
}

interface EventKind {
  readonly eventType: string;
  readonly legacyEventType: string | null;
  readonly displayMessage: string;
  readonly severity: OktaLogEvent["severity"];
  readonly result: "SUCCESS" | "FAILURE" | "ALLOW" | "DENY" | "CHALLENGE";
  readonly reason: string | null;
  readonly requestUri: string;
}

const KINDS: readonly EventKind[] = [
  kind("user.session.start", "core.user_auth.login_success", "User login to Okta", "INFO", "SUCCESS"),
  kind("user.session.start", "core.user_auth.login_failed", "User login to Okta", "WARN", "FAILURE", {
    reason: "INVALID_CREDENTIALS",
  }),
  kind("user.session.end", "core.user_auth.logout_success", "User logout from Okta", "INFO", "SUCCESS"),
  kind("user.authentication.sso", "app.auth.sso", "User single sign on to app", "INFO", "SUCCESS"),
  kind(
    "user.authentication.auth_via_mfa",
    "core.user.factor.attempt_success",
    "Authentication of user via MFA",
    "INFO",
    "SUCCESS",
  ),
  kind(
    "user.account.lock",
    "core.user_auth.account_locked",
    "Max sign in attempts exceeded",
    "WARN",
    "FAILURE",
    {
      reason: "LOCKED_OUT",
    },
  ),
  kind(
    "user.lifecycle.create",
    "core.user.config.user_creation.success",
    "Create Okta user",
    "INFO",
    "SUCCESS",
    {
      uri: "/api/v1/users",
    },
  ),
  kind(
    "user.lifecycle.deactivate",
    "core.user.config.user_deactivated",
    "Deactivate Okta user",
    "INFO",
    "SUCCESS",
    {
      uri: "/api/v1/users",
    },
  ),
  kind(
    "user.account.update_password",
    "core.user.config.password_update.success",
    "User update password for Okta",
    "INFO",
    "SUCCESS",
  ),
  kind(
    "group.user_membership.add",
    "core.user_group_member.user_add",
    "Add user to group membership",
    "INFO",
    "SUCCESS",
    {
      uri: "/api/v1/groups",
    },
  ),
  kind(
    "application.user_membership.add",
    "app.generic.provision.assign_user_to_app",
    "Add user to application membership",
    "INFO",
    "SUCCESS",
    {
      uri: "/api/v1/apps",
    },
  ),
  kind("policy.evaluate_sign_on", null, "Evaluation of sign-on policy", "INFO", "ALLOW"),
  kind("system.api_token.create", "api.token.create", "Create API token", "INFO", "SUCCESS", {
    uri: "/api/internal/tokens",
  }),
  kind("security.threat.detected", null, "Request from suspicious actor", "WARN", "DENY", {
    reason: "Password Spray",
  }),
];

const ACTORS = [
  ["00u1abvz4pYqdM8ms4x6", "jane@acme.example", "Jane Doe"],
  ["00u2kxq7TmWn1cR5b4x7", "li.wei@acme.example", "Li Wei"],
  ["00u3p0fJd8sQ2nXy9b4x", "amara.okafor@acme.example", "Amara Okafor"],
  ["00u4zt6LrYh3mC0w1b4x", "diego.ramos@acme.example", "Diego Ramos"],
  ["00u5n2bVc7eKq4Pz8b4x", "svc-provisioning@acme.example", "Provisioning Service"],
] as const;

const CLIENTS = [
  [
    "198.51.100.7",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Gecko/20100101 Firefox/125.0",
    "Mac OS X",
    "FIREFOX",
    "Dublin",
    "California",
    "United States",
    "94568",
    37.72,
    -121.92,
  ],
  [
    "203.0.113.42",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Windows 10",
    "CHROME",
    "Amsterdam",
    "North Holland",
    "Netherlands",
    "1012",
    52.37,
    4.89,
  ],
  [
    "192.0.2.19",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "iOS",
    "MOBILE_SAFARI",
    "Sydney",
    "New South Wales",
    "Australia",
    "2000",
    -33.87,
    151.21,
  ],
  [
    "198.51.100.201",
    "okta-sdk-java/8.2.0 java/17.0.9 Linux/5.15",
    "Linux",
    "UNKNOWN",
    "Ashburn",
    "Virginia",
    "United States",
    "20147",
    39.04,
    -77.49,
  ],
] as const;

function kind(
  eventType: string,
  legacyEventType: string | null,
  displayMessage: string,
  severity: EventKind["severity"],
  result: EventKind["result"],
  extra: { reason?: string; uri?: string } = {},
): EventKind {
  return {
    eventType,
    legacyEventType,
    displayMessage,
    severity,
    result,
    reason: extra.reason ?? null,
    requestUri: extra.uri ?? "/api/v1/authn",
  };
}

/** Generates a stream of distinct events; same seed and same calls give the same events. */
export class OktaEventGenerator {
  readonly #random: SeededRandom;
  #nextPublishedMs: number;

  /** @param seed PRNG seed. @param startMs `published` time of the first event (epoch ms). */
  constructor(seed: number, startMs: number) {
    this.#random = seededRandom(seed);
    this.#nextPublishedMs = startMs;
  }

  /**
   * Makes `count` events with increasing `published` times, 0.2–3 s apart.
   * @param atMs when given, the first event is published no earlier than this (epoch ms).
   */
  generate(count: number, atMs?: number): OktaLogEvent[] {
    if (atMs !== undefined) this.#nextPublishedMs = Math.max(this.#nextPublishedMs, atMs);
    const events: OktaLogEvent[] = [];
    for (let i = 0; i < count; i++) {
      events.push(this.#event(this.#nextPublishedMs));
      this.#nextPublishedMs += this.#random.int(200, 3000);
    }
    return events;
  }

  #event(publishedMs: number): OktaLogEvent {
    const r = this.#random;
    const k = r.pick(KINDS);
    const [actorId, alternateId, displayName] = r.pick(ACTORS);
    const [ip, rawUserAgent, os, browser, city, state, country, postalCode, lat, lon] = r.pick(CLIENTS);
    const requestId = r.token(27);
    return {
      uuid: `${r.hex(8)}-${r.hex(4)}-11ef-${r.hex(4)}-${r.hex(12)}`,
      published: new Date(publishedMs).toISOString(),
      eventType: k.eventType,
      version: "0",
      severity: k.severity,
      legacyEventType: k.legacyEventType,
      displayMessage: k.displayMessage,
      actor: { id: actorId, type: "User", alternateId, displayName, detailEntry: null },
      client: {
        userAgent: { rawUserAgent, os, browser },
        zone: "null",
        device: browser === "UNKNOWN" ? "Unknown" : "Computer",
        id: null,
        ipAddress: ip,
        geographicalContext: { city, state, country, postalCode, geolocation: { lat, lon } },
      },
      outcome: { result: k.result, reason: k.reason },
      target: null,
      transaction: { type: "WEB", id: requestId, detail: {} },
      debugContext: { debugData: { requestUri: k.requestUri, requestId } },
      authenticationContext: { authenticationStep: 0, externalSessionId: r.token(25) },
      securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
      request: { ipChain: [{ ip, version: "V4", source: null, geographicalContext: { city, country } }] },
    };
  }
}
