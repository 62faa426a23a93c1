/**
 * Realistic Slack Audit Logs entries, generated deterministically from a seed (vendor-apis §3).
 * `date_create` is epoch SECONDS, so several entries often share one second; keys follow the
 * documented sample: id, date_create, action, actor, entity, context, details.
 */
import { type SeededRandom, seededRandom } from "../seeded-random.ts";
import { uuid } from "./codec.ts";

/** A Slack audit-log entry (only the fields every entry has are typed). */
export interface SlackAuditEntry {
  readonly id: string;
  readonly date_create: number;
  readonly action: string;
  readonly actor: { readonly type: "user"; readonly user: SlackUser };
  readonly entity: { readonly type: string; readonly [key: string]: unknown };
  readonly context: Readonly<Record<string, unknown>>;
  readonly details?: Readonly<Record<string, unknown>>;
}

interface SlackUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly team: string;
}

const USERS: readonly SlackUser[] = [
  { id: "W123AB456", name: "Charlie Parker", email: "bird@acme.example", team: "T01ABCD2E" },
  { id: "W0A1B2C3D", name: "Ella Fitzgerald", email: "ella@acme.example", team: "T01ABCD2E" },
  { id: "W9Z8Y7X6V", name: "Miles Davis", email: "miles@acme.example", team: "T02EFGH3I" },
  { id: "W5K6L7M8N", name: "Nina Simone", email: "nina@acme.example", team: "T02EFGH3I" },
];

const LOCATIONS = [
  { type: "enterprise", id: "E1701NCCA", name: "Acme", domain: "acme" },
  { type: "workspace", id: "T01ABCD2E", name: "Acme Engineering", domain: "acme-eng" },
  { type: "workspace", id: "T02EFGH3I", name: "Acme Sales", domain: "acme-sales" },
] as const;

const AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Slack/4.38.125 (Windows 10; x64)",
  "com.tinyspeck.chatlyio/24.05.10 (iPhone; iOS 17.4.1; Scale/3.00)",
] as const;

type EntityMaker = (r: SeededRandom) => {
  entity: SlackAuditEntry["entity"];
  details?: Record<string, unknown>;
};

const userEntity: EntityMaker = (r) => ({ entity: { type: "user", user: r.pick(USERS) } });
const channelEntity: EntityMaker = (r) => ({
  entity: {
    type: "channel",
    channel: {
      id: `C0${r.token(8).toUpperCase()}`,
      privacy: r.pick(["public", "private"]),
      name: r.pick(["general", "eng-oncall", "sales-emea", "incident-4711"]),
      is_shared: false,
      is_org_shared: r.int(0, 1) === 1,
    },
  },
});
const fileEntity: EntityMaker = (r) => ({
  entity: {
    type: "file",
    file: {
      id: `F0${r.token(8).toUpperCase()}`,
      name: r.pick(["q2-forecast.xlsx", "roadmap.pdf", "db-dump.sql.gz"]),
      filetype: r.pick(["xlsx", "pdf", "gzip"]),
      title: "Shared file",
    },
  },
});

const ACTIONS: ReadonlyArray<readonly [string, EntityMaker]> = [
  ["user_login", userEntity],
  ["user_logout", userEntity],
  ["user_session_invalidated", userEntity],
  ["role_change_to_admin", userEntity],
  ["file_downloaded", fileEntity],
  ["file_uploaded", fileEntity],
  ["public_channel_created", channelEntity],
  ["user_channel_join", channelEntity],
  [
    "app_installed",
    (r) => ({
      entity: {
        type: "app",
        app: {
          id: `A0${r.token(8).toUpperCase()}`,
          name: "Jira Cloud",
          is_distributed: true,
          is_directory_approved: true,
          scopes: ["channels:read", "chat:write"],
        },
      },
      details: { is_internal_integration: false, app_owner_id: "W123AB456" },
    }),
  ],
  [
    "pref.sso_setting_changed",
    () => ({
      entity: { type: "enterprise", enterprise: { id: "E1701NCCA", name: "Acme", domain: "acme" } },
      details: { new_value: "required", previous_value: "optional" },
    }),
  ],
  ["anomaly", (r) => ({ ...userEntity(r), details: { reason: ["asn", "ip_address"], action_timestamp: 0 } })],
];

/** Generates distinct entries with increasing times; same seed and same calls give the same entries. */
export class SlackEntryGenerator {
  readonly #random: SeededRandom;
  #nextMs: number;

  constructor(seed: number, startMs: number) {
    this.#random = seededRandom(seed);
    this.#nextMs = startMs;
  }

  /** `count` entries 0.2–3 s apart; with `atMs`, the first is no earlier than that (epoch ms). */
  generate(count: number, atMs?: number): SlackAuditEntry[] {
    if (atMs !== undefined) this.#nextMs = Math.max(this.#nextMs, atMs);
    const entries: SlackAuditEntry[] = [];
    for (let i = 0; i < count; i++) {
      entries.push(this.#entry(Math.floor(this.#nextMs / 1000)));
      this.#nextMs += this.#random.int(200, 3000);
    }
    return entries;
  }

  #entry(seconds: number): SlackAuditEntry {
    const r = this.#random;
    const [action, make] = r.pick(ACTIONS);
    const { entity, details } = make(r);
    const context = {
      location: r.pick(LOCATIONS),
      ua: r.pick(AGENTS),
      ip_address: `198.51.100.${r.int(1, 254)}`,
      session_id: String(r.int(1_000_000_000, 9_999_999_999)),
    };
    const base = {
      id: uuid(r),
      date_create: seconds,
      action,
      actor: { type: "user" as const, user: r.pick(USERS) },
      entity,
      context,
    };
    if (action === "anomaly" && details !== undefined) details.action_timestamp = seconds * 1_000_000;
    return details === undefined ? base : { ...base, details };
  }
}
