/**
 * The standard process series (the names every Prometheus client uses), read when scraped.
 * prom-client's `collectDefaultMetrics` is not used: it starts an event-loop monitor and a GC
 * observer that cannot be stopped, a cost every collector would pay between scrapes.
 */
import { Counter, Gauge, type Registry } from "prom-client";

/** Registers `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_start_time_seconds`. */
export function defineProcessSeries(registry: Registry, nowMs: () => number): void {
  const registers = [registry];
  const cpu: Counter = new Counter({
    name: "process_cpu_seconds_total",
    help: "User and system CPU time spent by the collector, in seconds.",
    registers,
    collect: () => {
      const { user, system } = process.cpuUsage();
      cpu.reset();
      cpu.inc((user + system) / 1e6);
    },
  });
  const rss: Gauge = new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory of the collector, in bytes.",
    registers,
    collect: () => rss.set(process.memoryUsage.rss()),
  });
  const start = new Gauge({
    name: "process_start_time_seconds",
    help: "When the collector started (unix seconds); alerts use it before a source's first success.",
    registers,
  });
  start.set(Math.round(nowMs() / 1000 - process.uptime()));
}
