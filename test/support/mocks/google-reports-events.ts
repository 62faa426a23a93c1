/**
 * Realistic Admin SDK Reports activities, generated deterministically from a seed (vendor-apis §6):
 * `id.time` RFC 3339 with milliseconds, `id.uniqueQualifier` a signed int64 as a STRING, per-application
 * events and parameters. Key order follows the documented sample.
 */
import { type SeededRandom, seededRandom } from "../seeded-random.ts";
import { digits } from "./codec.ts";

/** A Reports activity (only the fields every activity has are typed). */
export interface GoogleActivity {
  readonly kind: "admin#reports#activity";
  readonly etag: string;
  readonly id: {
    readonly time: string;
    readonly uniqueQualifier: string;
    readonly applicationName: string;
    readonly customerId: string;
  };
  readonly events: readonly {
    readonly type: string;
    readonly name: string;
    readonly parameters?: readonly unknown[];
  }[];
  readonly [key: string]: unknown;
}

/** Where activities come from. */
export interface GoogleTenant {
  readonly customerId: string;
  readonly domain: string;
}

type Parameter = {
  name: string;
  value?: string;
  boolValue?: boolean;
  multiValue?: string[];
  intValue?: string;
};
type EventMaker = (
  r: SeededRandom,
  domain: string,
) => { type: string; name: string; parameters: Parameter[] };

const USERS = ["jane", "li.wei", "amara.okafor", "diego.ramos", "admin"] as const;
const DOCS = ["Q3 plan", "Payroll 2024", "Incident 4711 notes", "Board deck"] as const;

const EVENTS: Readonly<Record<string, EventMaker>> = {
  login: (r) => {
    const name = r.pick(["login_success", "login_success", "login_failure", "logout", "login_challenge"]);
    const parameters: Parameter[] = [{ name: "login_type", value: "google_password" }];
    if (name !== "logout") parameters.push({ name: "login_challenge_method", multiValue: ["password"] });
    parameters.push({ name: "is_suspicious", boolValue: name === "login_failure" && r.int(0, 3) === 0 });
    return { type: "login", name, parameters };
  },
  admin: (r, domain) => {
    const [type, name] = r.pick([
      ["USER_SETTINGS", "CHANGE_PASSWORD"],
      ["USER_SETTINGS", "CREATE_USER"],
      ["DELEGATED_ADMIN_SETTINGS", "ASSIGN_ROLE"],
      ["SECURITY_SETTINGS", "CHANGE_ALLOWED_TWO_STEP_VERIFICATION_METHODS"],
    ] as const);
    return { type, name, parameters: [{ name: "USER_EMAIL", value: `${r.pick(USERS)}@${domain}` }] };
  },
  drive: (r, domain) => ({
    type: "access",
    name: r.pick(["view", "download", "edit", "change_user_access"]),
    parameters: [
      { name: "primary_event", boolValue: true },
      { name: "doc_id", value: `1${r.token(43)}` },
      { name: "doc_type", value: r.pick(["document", "spreadsheet", "presentation"]) },
      { name: "doc_title", value: r.pick(DOCS) },
      { name: "visibility", value: r.pick(["private", "shared_internally", "people_with_link"]) },
      { name: "owner", value: `${r.pick(USERS)}@${domain}` },
    ],
  }),
  token: (r) => ({
    type: "auth",
    name: r.pick(["authorize", "revoke"]),
    parameters: [
      {
        name: "client_id",
        value: `${digits(r, 12)}-${r.token(32).toLowerCase()}.apps.googleusercontent.com`,
      },
      { name: "app_name", value: r.pick(["Slack", "Zoom", "Helr Collector"]) },
      { name: "client_type", value: "WEB" },
      { name: "scope", multiValue: ["https://www.googleapis.com/auth/userinfo.email", "openid"] },
    ],
  }),
  saml: (r) => ({
    type: "login",
    name: r.pick(["login_success", "login_failure"]),
    parameters: [
      { name: "application_name", value: r.pick(["Okta", "Salesforce", "AWS"]) },
      { name: "initiated_by", value: r.pick(["idp", "sp"]) },
      { name: "orgunit_path", value: "/" },
    ],
  }),
};

/** Generates activities across applications with one clock; same seed and calls give the same activities. */
export class GoogleActivityGenerator {
  readonly #random: SeededRandom;
  readonly #tenant: GoogleTenant;
  #nextMs: number;

  constructor(seed: number, startMs: number, tenant: GoogleTenant) {
    this.#random = seededRandom(seed);
    this.#tenant = tenant;
    this.#nextMs = startMs;
  }

  /** `count` activities 0.2–3 s apart, the i-th for `applications[i % n]`; the first no earlier than `atMs`. */
  generate(applications: readonly string[], count: number, atMs?: number): GoogleActivity[] {
    const { activities, nextMs } = this.at(applications, count, Math.max(this.#nextMs, atMs ?? 0));
    this.#nextMs = nextMs;
    return activities;
  }

  /** Like {@link generate} but from exactly `ms`, leaving the clock alone (for late arrivals). */
  at(
    applications: readonly string[],
    count: number,
    ms: number,
  ): { activities: GoogleActivity[]; nextMs: number } {
    const activities: GoogleActivity[] = [];
    let t = ms;
    for (let i = 0; i < count; i++) {
      activities.push(this.#activity(applications[i % applications.length] ?? "login", t));
      t += this.#random.int(200, 3000);
    }
    return { activities, nextMs: t };
  }

  #activity(application: string, ms: number): GoogleActivity {
    const r = this.#random;
    const { customerId, domain } = this.#tenant;
    const make =
      EVENTS[application] ??
      ((): ReturnType<EventMaker> => ({ type: application, name: "activity", parameters: [] }));
    const uniqueQualifier = `${r.int(0, 1) === 0 ? "-" : ""}${digits(r, r.int(18, 19))}`;
    return {
      kind: "admin#reports#activity",
      etag: `"${r.token(27)}/${r.token(27)}"`,
      id: {
        time: new Date(ms).toISOString(),
        uniqueQualifier: clampInt64(uniqueQualifier),
        applicationName: application,
        customerId,
      },
      actor: { callerType: "USER", email: `${r.pick(USERS)}@${domain}`, profileId: digits(r, 21) },
      ipAddress: `198.51.100.${r.int(1, 254)}`,
      ownerDomain: domain,
      networkInfo: { regionCode: "US", subdivisionCode: "US-CA", ipAsn: [r.pick([15169, 7922, 16509])] },
      events: [make(r, domain)],
    };
  }
}

/** Keeps a 19-digit value inside the signed 64-bit range. */
function clampInt64(text: string): string {
  const value = BigInt(text);
  const max = 9_223_372_036_854_775_807n;
  return value > max || value < -max ? (value % max).toString() : text;
}
