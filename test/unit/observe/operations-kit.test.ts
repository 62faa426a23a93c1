/**
 * The operations kit in docs/operations/ never names a series the collector does not export:
 * every metric in the alert rules and the Grafana dashboard's queries exists in the registry,
 * and metrics.md documents exactly the series the registry has. promtool checks and unit-tests
 * the rules when it is installed (CI installs the `prometheus` package).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createMetrics } from "../../../runtime/observe/metrics.ts";
import { ROOT } from "../../support/bundle.ts";
import { describeWithBinary, PROMTOOL_BIN } from "../../support/prometheus.ts";
import { grafanaQueryMetricNames, promqlMetricNames } from "../../support/promql-names.ts";

const OPS = join(ROOT, "docs/operations");

/** Every sample name the registry exports (a histogram as its _bucket, _sum and _count too). */
async function exportedNames(): Promise<Set<string>> {
  const metrics = createMetrics({
    version: "0",
    bundleHash: "0",
    sources: [{ id: "s", intervalSecs: 60 }],
    now: Date.now,
  });
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(m.name + suffix);
  }
  return names;
}

/** The metric families the registry defines. */
async function families(): Promise<string[]> {
  const metrics = createMetrics({ version: "0", bundleHash: "0", sources: [], now: Date.now });
  return (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort();
}

function alertExpressions(): { alert: string; expr: string }[] {
  const rules = parse(readFileSync(join(OPS, "alerts.yml"), "utf8")) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return rules.groups.flatMap((g) => g.rules.map((r) => ({ alert: r.alert, expr: r.expr })));
}

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
}

function dashboardQueries(): { where: string; names: string[] }[] {
  const dashboard = JSON.parse(readFileSync(join(OPS, "grafana-dashboard.json"), "utf8")) as Dashboard;
  const panels = dashboard.panels.flatMap((p) =>
    p.targets.map((t) => ({ where: `panel "${p.title}"`, names: promqlMetricNames(t.expr) })),
  );
  const variables = dashboard.templating.list
    .filter((v) => v.type === "query")
    .map((v) => ({
      where: `variable ${v.name}`,
      names: grafanaQueryMetricNames(typeof v.query === "string" ? v.query : v.query.query),
    }));
  return [...panels, ...variables];
}

describe("PromQL metric-name extraction", () => {
  it("finds metric names and ignores functions, aggregations, labels, strings, ranges and keywords", () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.95, sum by (source, le) (rate(helr_request_duration_seconds_bucket{job=~"$job", source="a b"}[$__rate_interval])))',
      ),
    ).toEqual(["helr_request_duration_seconds_bucket"]);
    expect(
      promqlMetricNames(
        "(3 * x_interval) < on (job, instance) group_left () (time() - process_start_time_seconds) unless on (job) y_total offset 5m",
      ),
    ).toEqual(["process_start_time_seconds", "x_interval", "y_total"]);
    expect(promqlMetricNames("sum without (instance) (rate(a_total[5m])) > bool 1e3 and b")).toEqual([
      "a_total",
      "b",
    ]);
    expect(
      promqlMetricNames('min_over_time(helr_circuit_breaker_state[5m]) > 0 or vector(0) == "x"'),
    ).toEqual(["helr_circuit_breaker_state"]);
    expect(grafanaQueryMetricNames('label_values(helr_poll_interval_seconds{job=~"$job"}, source)')).toEqual([
      "helr_poll_interval_seconds",
    ]);
  });
});

describe("the operations kit names only exported series", () => {
  it("every metric in alerts.yml exists in the registry", async () => {
    const exported = await exportedNames();
    const rules = alertExpressions();
    expect(rules.map((r) => r.alert)).toEqual([
      "HelrSourceStalled",
      "HelrSourceNeverSucceeded",
      "HelrIngestLagHigh",
      "HelrCircuitOpen",
      "HelrOutputErrors",
      "HelrEventsDropped",
    ]);
    for (const { alert, expr } of rules) {
      const names = promqlMetricNames(expr);
      expect(names.length, alert).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${alert}: ${name}`).toBe(true);
    }
  });

  it("every metric in the Grafana dashboard's queries and variables exists in the registry", async () => {
    const exported = await exportedNames();
    const queries = dashboardQueries();
    const all = new Set(queries.flatMap((q) => q.names));
    // The panels the issue asks for: events/s, lag, errors, breaker state.
    for (const name of [
      "helr_events_emitted_total",
      "helr_ingest_lag_seconds",
      "helr_errors_total",
      "helr_circuit_breaker_state",
    ]) {
      expect(all, name).toContain(name);
    }
    for (const { where, names } of queries) {
      expect(names.length, where).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${where}: ${name}`).toBe(true);
    }
  });

  it("metrics.md documents exactly the registry's series", async () => {
    const doc = readFileSync(join(OPS, "metrics.md"), "utf8");
    const documented = new Set(
      [...doc.matchAll(/^\| `((?:helr|hel|process)_\w+)` \|/gm)].map((m) => m[1] ?? ""),
    );
    expect([...documented].sort()).toEqual(await families());
    // Nor does the prose mention a series that does not exist.
    const exported = await exportedNames();
    for (const [, name] of doc.matchAll(/`((?:helr|hel)_[a-z_]+)/g))
      expect(exported.has(name ?? ""), name).toBe(true);
  });
});

describeWithBinary(PROMTOOL_BIN, "promtool", () => {
  it("checks alerts.yml", () => {
    const run = spawnSync(PROMTOOL_BIN, ["check", "rules", "alerts.yml"], { cwd: OPS, encoding: "utf8" });
    expect(run.stdout + run.stderr).toContain("SUCCESS: 6 rules found");
    expect(run.status).toBe(0);
  });

  it("passes the rule unit tests in alerts.test.yml", () => {
    const run = spawnSync(PROMTOOL_BIN, ["test", "rules", "alerts.test.yml"], { cwd: OPS, encoding: "utf8" });
    expect(run.stdout + run.stderr).toContain("SUCCESS");
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});
