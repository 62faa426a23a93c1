/**
 * The metric names a PromQL expression (or a Grafana `label_values(...)` query) reads, found
 * loosely but robustly: strings, label matchers, ranges and grouping label lists are removed
 * first, then every identifier left that is not a keyword or a function/aggregation call is a
 * metric name. Enough to check that alerts and dashboards only name series that exist.
 */

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

/** Metric names `expr` reads. */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ") // label lists
    .replace(/\$\{?\w+\}?/g, " "); // Grafana variables
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const before = stripped[match.index - 1] ?? "";
    if (/[0-9.]/.test(before)) continue; // the exponent or unit of a number (1e3, 5m)
    const after = stripped.slice(match.index + name.length);
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\s*\(/.test(after) || /^\s*(?:by|without)\b/.test(after)) continue; // a call: sum(…), sum by (…) (…)
    names.add(name);
  }
  return [...names].sort();
}

/** The metric a Grafana variable query reads: `label_values(metric{…}, label)` or a PromQL expression. */
export function grafanaQueryMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*([^,]+?)\s*(?:,\s*\w+\s*)?\)\s*$/.exec(query);
  return promqlMetricNames(labelValues?.[1] ?? query);
}
