/**
 * Realistic Cloud Logging `LogEntry` objects, generated deterministically from a seed (vendor-apis §7):
 * mostly Cloud Audit Logs (`protoPayload` AuditLog in the activity and data_access logs), some
 * application logs with `jsonPayload` or `textPayload`. Timestamps have nanosecond precision and a fixed
 * `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` shape, so they sort as strings.
 */
import { type SeededRandom, seededRandom } from "../seeded-random.ts";

/** A LogEntry (only the fields every entry has are typed). */
export interface LogEntry {
  readonly insertId: string;
  readonly logName: string;
  readonly resource: { readonly type: string; readonly labels: Readonly<Record<string, string>> };
  readonly timestamp: string;
  readonly receiveTimestamp: string;
  readonly severity: string;
  readonly [key: string]: unknown;
}

const PRINCIPALS = [
  "deployer@acme.example",
  "ci@acme-prod.iam.gserviceaccount.com",
  "jane@acme.example",
] as const;
const AUDIT_CALLS = [
  [
    "activity",
    "iam.googleapis.com",
    "google.iam.admin.v1.CreateServiceAccountKey",
    "service_account",
    "NOTICE",
  ],
  ["activity", "compute.googleapis.com", "v1.compute.instances.insert", "gce_instance", "NOTICE"],
  ["activity", "storage.googleapis.com", "storage.setIamPermissions", "gcs_bucket", "NOTICE"],
  ["data_access", "iamcredentials.googleapis.com", "GenerateAccessToken", "service_account", "INFO"],
  ["data_access", "storage.googleapis.com", "storage.objects.get", "gcs_bucket", "INFO"],
  [
    "data_access",
    "bigquery.googleapis.com",
    "google.cloud.bigquery.v2.JobService.InsertJob",
    "bigquery_dataset",
    "INFO",
  ],
] as const;

/** `2024-05-21T13:04:55.293368631Z` from epoch ms plus six more digits. */
export function nanoTimestamp(ms: number, extraDigits: string): string {
  return new Date(ms).toISOString().replace(/Z$/, `${extraDigits}Z`);
}

/** Generates entries with increasing timestamps; same seed and calls give the same entries. */
export class LogEntryGenerator {
  readonly #random: SeededRandom;
  readonly #project: string;
  #nextMs: number;

  constructor(seed: number, startMs: number, project: string) {
    this.#random = seededRandom(seed);
    this.#project = project;
    this.#nextMs = startMs;
  }

  /** `count` entries 0.2–3 s apart; with `atMs`, the first is no earlier than that (epoch ms). */
  generate(count: number, atMs?: number): LogEntry[] {
    if (atMs !== undefined) this.#nextMs = Math.max(this.#nextMs, atMs);
    const entries: LogEntry[] = [];
    for (let i = 0; i < count; i++) {
      entries.push(
        this.#random.int(1, 5) === 1 ? this.#appEntry(this.#nextMs) : this.#auditEntry(this.#nextMs),
      );
      this.#nextMs += this.#random.int(200, 3000);
    }
    return entries;
  }

  #times(ms: number): { timestamp: string; receiveTimestamp: string } {
    const r = this.#random;
    const sub = () => String(r.int(0, 999_999)).padStart(6, "0");
    return {
      timestamp: nanoTimestamp(ms, sub()),
      receiveTimestamp: nanoTimestamp(ms + r.int(300, 2500), sub()),
    };
  }

  #auditEntry(ms: number): LogEntry {
    const r = this.#random;
    const [log, serviceName, methodName, resourceType, severity] = r.pick(AUDIT_CALLS);
    const principal = r.pick(PRINCIPALS);
    const project = this.#project;
    return {
      insertId: r.token(12).toLowerCase(),
      logName: `projects/${project}/logs/cloudaudit.googleapis.com%2F${log}`,
      resource: { type: resourceType, labels: { project_id: project } },
      ...this.#times(ms),
      severity,
      operation: { id: `op-${r.int(1000, 9999)}`, producer: serviceName, first: true, last: true },
      protoPayload: {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        serviceName,
        methodName,
        resourceName: `projects/${project}/${resourceType}s/${r.token(8).toLowerCase()}`,
        authenticationInfo: { principalEmail: principal },
        authorizationInfo: [
          {
            permission: `${serviceName.split(".")[0]}.${resourceType}.use`,
            granted: true,
            resourceAttributes: {},
          },
        ],
        requestMetadata: {
          callerIp: `198.51.100.${r.int(1, 254)}`,
          callerSuppliedUserAgent: r.pick([
            "Go-http-client/2.0,gzip(gfe)",
            "google-cloud-sdk gcloud/474.0.0",
          ]),
        },
        status: {},
      },
    };
  }

  #appEntry(ms: number): LogEntry {
    const r = this.#random;
    const project = this.#project;
    const resource = {
      type: "k8s_container",
      labels: {
        project_id: project,
        cluster_name: "prod-eu",
        namespace_name: "billing",
        container_name: "api",
      },
    };
    const json = r.int(0, 1) === 0;
    const payload = json
      ? {
          jsonPayload: {
            message: "request served",
            httpStatus: r.pick([200, 200, 404, 500]),
            latencyMs: r.int(2, 900),
          },
        }
      : { textPayload: `GET /healthz 200 ${r.int(1, 40)}ms` };
    return {
      insertId: r.token(16).toLowerCase(),
      logName: `projects/${project}/logs/${json ? "stdout" : "stderr"}`,
      resource,
      ...this.#times(ms),
      severity: json ? r.pick(["INFO", "WARNING", "ERROR"]) : "DEFAULT",
      ...payload,
    };
  }
}
