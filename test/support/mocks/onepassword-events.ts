/**
 * Realistic 1Password Events API items (audit events, sign-in attempts, item usages), generated
 * deterministically from a seed (vendor-apis §4). Ids are 26-character base32; `timestamp` is RFC 3339.
 * Items are built in the v2 shape; {@link toV1} drops the v2-only `account_uuid`.
 */
import { type SeededRandom, seededRandom } from "../seeded-random.ts";
import { base32, isoSeconds } from "./codec.ts";

/** The three event streams, named as in the endpoint paths and the token's features. */
export const FEATURES = ["auditevents", "signinattempts", "itemusages"] as const;
export type OnePasswordFeature = (typeof FEATURES)[number];

/** An Events API item (only the fields every kind has are typed). */
export interface OnePasswordItem {
  readonly uuid: string;
  readonly timestamp: string;
  readonly [key: string]: unknown;
}

/** The account every generated item belongs to. */
export const ACCOUNT_UUID = "VZSYVT2LGHTBWBQGUJAIZVRABM";

const USERS = [
  { uuid: "OJQGU46KAPROEJLCK674RHSAY5", name: "Jane Doe", email: "jane@acme.example" },
  { uuid: "E4LJKCWCRZC7HNGRGPGBT3PDDE", name: "Li Wei", email: "li.wei@acme.example" },
  { uuid: "7RQ2ZXB3OVH4NKJ5LGEDPA6MTY", name: "Amara Okafor", email: "amara@acme.example" },
] as const;
const LOCATIONS = [
  { country: "CA", region: "Ontario", city: "Toronto", latitude: 43.64, longitude: -79.433 },
  { country: "AR", region: "Buenos Aires", city: "Buenos Aires", latitude: -34.6, longitude: -58.38 },
  { country: "DE", region: "Berlin", city: "Berlin", latitude: 52.52, longitude: 13.405 },
] as const;
const CLIENTS = [
  ["1Password Browser Extension", "20127", "Chrome", "124.0", "MacOSX", "14.4"],
  ["1Password for Windows", "80800046", "Windows", "11", "Windows", "10.0.22631"],
  ["1Password CLI", "2260001", "go", "1.22", "Linux", "6.8"],
] as const;
const AUDIT_ACTIONS = [
  ["join", "gm"],
  ["create", "vault"],
  ["grant", "vault"],
  ["revoke", "vault"],
  ["update", "user"],
  ["suspend", "user"],
  ["create", "invite"],
  ["delete", "item"],
] as const;
const SIGNIN_OUTCOMES = [
  ["success", "credentials_ok", null],
  ["success", "mfa_ok", null],
  ["credentials_failed", "password_secret_bad", null],
  ["mfa_failed", "mfa_missing", null],
  ["firewall_failed", "continent_blocked", { value: "Antarctica" }],
  ["modern_version_failed", "modern_version_missing", null],
] as const;
const ITEM_ACTIONS = [
  "fill",
  "reveal",
  "secure-copy",
  "enter-item-edit-mode",
  "server-fetch",
  "export",
] as const;

/** Generates each stream with its own clock, from one seed; same seed and calls give the same items. */
export class OnePasswordItemGenerator {
  readonly #random: SeededRandom;
  readonly #next: Map<OnePasswordFeature, number>;

  constructor(seed: number, startMs: number) {
    this.#random = seededRandom(seed);
    this.#next = new Map(FEATURES.map((feature) => [feature, startMs]));
  }

  /** `count` items of one stream, 0.2–3 s apart; with `atMs`, the first is no earlier than that. */
  generate(feature: OnePasswordFeature, count: number, atMs?: number): OnePasswordItem[] {
    let ms = Math.max(this.#next.get(feature) ?? 0, atMs ?? 0);
    const items: OnePasswordItem[] = [];
    for (let i = 0; i < count; i++) {
      items.push(this.#item(feature, ms));
      ms += this.#random.int(200, 3000);
    }
    this.#next.set(feature, ms);
    return items;
  }

  #item(feature: OnePasswordFeature, ms: number): OnePasswordItem {
    const r = this.#random;
    const head = { uuid: base32(r, 26), timestamp: isoSeconds(ms) };
    const user = r.pick(USERS);
    const location = r.pick(LOCATIONS);
    const ip = `198.51.100.${r.int(1, 254)}`;
    const [app_name, app_version, platform_name, platform_version, os_name, os_version] = r.pick(CLIENTS);
    const client = {
      app_name,
      app_version,
      platform_name,
      platform_version,
      os_name,
      os_version,
      ip_address: ip,
    };
    if (feature === "signinattempts") {
      const [category, type, details] = r.pick(SIGNIN_OUTCOMES);
      const session = { session_uuid: base32(r, 26) };
      return {
        uuid: head.uuid,
        ...session,
        timestamp: head.timestamp,
        country: location.country,
        category,
        type,
        details,
        target_user: user,
        client,
        location,
        account_uuid: ACCOUNT_UUID,
      };
    }
    if (feature === "itemusages") {
      const usage = {
        used_version: r.int(1, 12),
        vault_uuid: base32(r, 26).toLowerCase(),
        item_uuid: base32(r, 26).toLowerCase(),
      };
      return {
        ...head,
        ...usage,
        user,
        client,
        location,
        action: r.pick(ITEM_ACTIONS),
        account_uuid: ACCOUNT_UUID,
      };
    }
    const [action, object_type] = r.pick(AUDIT_ACTIONS);
    const session = {
      uuid: base32(r, 26),
      login_time: isoSeconds(ms - r.int(60_000, 3_600_000)),
      device_uuid: base32(r, 26).toLowerCase(),
      ip,
    };
    return {
      ...head,
      actor_uuid: user.uuid,
      actor_details: user,
      action,
      object_type,
      object_uuid: base32(r, 26).toLowerCase(),
      aux_id: r.int(1_000_000, 9_999_999),
      aux_uuid: base32(r, 26),
      aux_info: r.pick(["A", "R", "M"]),
      session,
      location,
      account_uuid: ACCOUNT_UUID,
    };
  }
}

/** The v1 shape of an item: v2 added `account_uuid`. */
export function toV1(item: OnePasswordItem): OnePasswordItem {
  const { account_uuid: _dropped, ...v1 } = item;
  return v1 as OnePasswordItem;
}
