/**
 * Realistic GitHub audit-log events, generated deterministically from a seed (vendor-apis §2).
 * Times are epoch milliseconds in both `@timestamp` and `created_at`; keys follow the documented sample:
 * `@timestamp`, `_document_id`, `action`, actor fields, `created_at`, `operation_type`, `org`, `org_id`,
 * the action's own fields, then `business`, `business_id` and (web events) `request_id`, `user_agent`.
 */
import { type SeededRandom, seededRandom } from "../seeded-random.ts";
import { base64urlId } from "./codec.ts";

/** A GitHub audit-log event as the API returns it (only the fields every event has are typed). */
export interface GitHubAuditEvent {
  readonly "@timestamp": number;
  readonly _document_id: string;
  readonly action: string;
  readonly actor: string;
  readonly created_at: number;
  readonly [key: string]: unknown;
}

/** Who the events belong to: the org under test, a sister org, and their enterprise. */
export interface GitHubTenancy {
  readonly org: string;
  readonly sisterOrg: string;
  readonly enterprise: string;
}

interface Kind {
  readonly action: string;
  readonly operation: "create" | "modify" | "remove" | "access" | "transfer";
  /** `business` events belong to the enterprise and carry no `org`; `git` events need `include=git|all`. */
  readonly scope: "org" | "business" | "git";
  readonly fields: (r: SeededRandom, org: string) => Record<string, unknown>;
}

const REPOS = ["api", "web", "infra", "docs", "billing-svc", "mobile"] as const;
const USERS = [
  ["monalisa", 1001],
  ["hubot", 2002],
  ["mona-dev", 3003],
  ["jdoe-acme", 4004],
] as const;
const ACTORS = [
  ["octocat", 583231, "US"],
  ["octo-admin", 6112, "DE"],
  ["acme-release-bot[bot]", 9012345, "US"],
  ["sara-sec", 77820, "GB"],
] as const;
const AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
  "GitHub-Hookshot/3b4f7a1",
  "gh/2.49.0 (linux; amd64)",
] as const;

const repo = (r: SeededRandom, org: string) => `${org}/${r.pick(REPOS)}`;
const user = (r: SeededRandom) => {
  const [name, id] = r.pick(USERS);
  return { user: name, user_id: id };
};

const KINDS: readonly Kind[] = [
  {
    action: "repo.create",
    operation: "create",
    scope: "org",
    fields: (r, org) => ({
      repo: repo(r, org),
      repo_id: r.int(7_000_000, 9_000_000),
      visibility: r.pick(["private", "internal"]),
    }),
  },
  {
    action: "repo.download_zip",
    operation: "access",
    scope: "org",
    fields: (r, org) => ({ repo: repo(r, org) }),
  },
  {
    action: "team.add_member",
    operation: "modify",
    scope: "org",
    fields: (r, org) => ({ team: `${org}/platform`, ...user(r) }),
  },
  {
    action: "org.add_member",
    operation: "create",
    scope: "org",
    fields: (r) => ({ ...user(r), permission: "read" }),
  },
  { action: "org.remove_member", operation: "remove", scope: "org", fields: (r) => user(r) },
  {
    action: "protected_branch.create",
    operation: "create",
    scope: "org",
    fields: (r, org) => ({ repo: repo(r, org), name: "main" }),
  },
  {
    action: "hook.create",
    operation: "create",
    scope: "org",
    fields: (r, org) => ({ repo: repo(r, org), hook_id: r.int(400_000_000, 499_999_999), active: true }),
  },
  {
    action: "personal_access_token.request_created",
    operation: "create",
    scope: "org",
    fields: (r) => ({ ...user(r), permissions_added: { contents: "read" } }),
  },
  { action: "business.add_admin", operation: "create", scope: "business", fields: (r) => user(r) },
  {
    action: "business.set_actions_retention_limit",
    operation: "modify",
    scope: "business",
    fields: () => ({ retention_days: 90 }),
  },
  { action: "git.clone", operation: "access", scope: "git", fields: (r, org) => gitFields(r, org) },
  { action: "git.push", operation: "modify", scope: "git", fields: (r, org) => gitFields(r, org) },
];

function gitFields(r: SeededRandom, org: string): Record<string, unknown> {
  const name = repo(r, org);
  return {
    repo: name,
    repository: name,
    repository_public: false,
    transport_protocol: 1,
    transport_protocol_name: "http",
  };
}

/** Generates distinct events with increasing times; same seed and same calls give the same events. */
export class GitHubEventGenerator {
  readonly #random: SeededRandom;
  readonly #tenancy: GitHubTenancy;
  #nextMs: number;

  constructor(seed: number, startMs: number, tenancy: GitHubTenancy) {
    this.#random = seededRandom(seed);
    this.#tenancy = tenancy;
    this.#nextMs = startMs;
  }

  /** `count` events 0.2–3 s apart; with `atMs`, the first is no earlier than that (epoch ms). */
  generate(count: number, atMs?: number): GitHubAuditEvent[] {
    if (atMs !== undefined) this.#nextMs = Math.max(this.#nextMs, atMs);
    const events: GitHubAuditEvent[] = [];
    for (let i = 0; i < count; i++) {
      events.push(this.#event(this.#nextMs));
      this.#nextMs += this.#random.int(200, 3000);
    }
    return events;
  }

  #event(ms: number): GitHubAuditEvent {
    const r = this.#random;
    const kind = r.pick(KINDS);
    const { org: mainOrg, sisterOrg, enterprise } = this.#tenancy;
    const org = r.int(1, 5) === 1 ? sisterOrg : mainOrg;
    const [actor, actorId, country] = r.pick(ACTORS);
    const orgFields = kind.scope === "business" ? {} : { org, org_id: org === mainOrg ? 9919 : 10231 };
    const web = kind.scope === "git" ? {} : { request_id: requestId(r), user_agent: r.pick(AGENTS) };
    return {
      "@timestamp": ms,
      _document_id: base64urlId(r, 22),
      action: kind.action,
      actor,
      actor_id: actorId,
      actor_location: { country_code: country },
      created_at: ms,
      operation_type: kind.operation,
      ...orgFields,
      ...kind.fields(r, org),
      business: enterprise,
      business_id: 4127,
      ...web,
    };
  }
}

/** `C0DE:1A2B:3C4D5E:6F7A8B:664C8F19`: the shape of GitHub request ids (also `x-github-request-id`). */
export function requestId(r: SeededRandom): string {
  return [4, 4, 6, 6, 8].map((n) => r.hex(n).toUpperCase()).join(":");
}
