/**
 * bench/results.svg, written by hand: one panel of horizontal bars per measurement, with the
 * target drawn as a dashed line where there is one. No dependencies; any browser opens it.
 */

const WIDTH = 960;
const LABEL = 260;
const BAR = 22;
const GAP = 8;
const COLORS = { A: "#2f6fdf", B: "#9aa3ad", other: "#5b8c5a", miss: "#d0453a" };

const xml = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** One panel at vertical offset `y`; returns its SVG and height. */
function panel(y, { title, note, unit, bars, target, targetLabel }) {
  const scaleMax = Math.max(...bars.map((b) => b.value), target ?? 0) * 1.18 || 1;
  const plot = WIDTH - LABEL - 190; // room for the value after the longest bar
  const x = (v) => LABEL + (v / scaleMax) * plot;
  const parts = [
    `<text x="16" y="${y + 22}" class="title">${xml(title)}</text>`,
    note ? `<text x="16" y="${y + 40}" class="note">${xml(note)}</text>` : "",
  ];
  let top = y + (note ? 54 : 36);
  for (const bar of bars) {
    const w = Math.max(1, x(bar.value) - LABEL);
    parts.push(
      `<text x="${LABEL - 10}" y="${top + BAR * 0.7}" class="label" text-anchor="end">${xml(bar.label)}</text>`,
      `<rect x="${LABEL}" y="${top}" width="${w.toFixed(1)}" height="${BAR}" rx="3" fill="${bar.color}"/>`,
      `<text x="${(LABEL + w + 6).toFixed(1)}" y="${top + BAR * 0.7}" class="value">${xml(bar.text ?? `${bar.value} ${unit}`)}</text>`,
    );
    top += BAR + GAP;
  }
  if (target !== undefined) {
    const tx = x(target).toFixed(1);
    parts.push(
      `<line x1="${tx}" y1="${y + (note ? 48 : 30)}" x2="${tx}" y2="${top - GAP + 4}" class="target"/>`,
      `<text x="${tx}" y="${top + 10}" class="note" text-anchor="middle">${xml(targetLabel ?? `target ${target} ${unit}`)}</text>`,
    );
    top += 14;
  }
  return { svg: parts.join("\n"), height: top - y + 18 };
}

/** The whole chart for a results object (see scripts/bench.mjs). */
export function renderChart(results) {
  const panels = [];
  const t = results.throughput;
  if (t) {
    const opts = results.measured?.throughput?.options ?? results.options;
    const k = (v) => `${Math.round(v).toLocaleString("en")} events/s`;
    panels.push({
      title: `Backfill throughput: ${t.input.events.toLocaleString("en")} events of ~${Math.round(t.input.eventBytes)} B, pages of ${opts.pageSize}`,
      note: `median of ${opts.runs} alternating runs each; A/B = ${t.ratio}× (per CPU-second ${t.cpuRatio}×); target ≥ 1.0×, aim 1.5×`,
      unit: "events/s",
      bars: [
        {
          label: "A  helr bundle (SQLite, dedupe)",
          value: t.A.eventsPerSec,
          color: COLORS.A,
          text: `${k(t.A.eventsPerSec)}, ${t.A.mbPerSec} MB/s`,
        },
        {
          label: "B  bare undici + JSON loop",
          value: t.B.eventsPerSec,
          color: COLORS.B,
          text: `${k(t.B.eventsPerSec)}, ${t.B.mbPerSec} MB/s`,
        },
      ],
    });
    panels.push({
      title: "Peak RSS during the backfill",
      note: "target: A no higher than B",
      unit: "MB",
      bars: [
        {
          label: "A  helr bundle",
          value: t.A.peakRssMb,
          color: t.A.peakRssMb <= t.B.peakRssMb ? COLORS.A : COLORS.miss,
        },
        { label: "B  baseline", value: t.B.peakRssMb, color: COLORS.B },
      ],
    });
  }
  const big = results.bigPage;
  if (big) {
    panels.push({
      title: `Peak RSS on one ${big.pageMb} MiB page (${big.events.toLocaleString("en")} events)`,
      note: "target: at most 2 × page + 100 MB",
      unit: "MB",
      target: big.targetMb,
      bars: [
        { label: "A  helr bundle", value: big.A.peakRssMb, color: big.met ? COLORS.A : COLORS.miss },
        { label: "B  baseline", value: big.B.peakRssMb, color: COLORS.B },
      ],
    });
  }
  const cold = results.coldStart;
  if (cold) {
    panels.push({
      title: `Cold start, median of ${cold.runs}`,
      unit: "ms",
      target: 150,
      bars: [
        { label: "node -e 0", value: cold.node.medianMs, color: COLORS.B },
        { label: "helr.js --version", value: cold.bundle.medianMs, color: cold.met ? COLORS.A : COLORS.miss },
        ...(cold.corpus
          ? [{ label: "200-source helr.js --version", value: cold.corpus.medianMs, color: COLORS.other }]
          : []),
      ],
    });
  }
  const c = results.compiler;
  if (c) {
    panels.push({
      title: `helrc on a ${c.sources}-source corpus, median`,
      unit: "ms",
      target: 1000,
      targetLabel: "check target 1000 ms",
      bars: [
        { label: "helrc --version (start-up)", value: c.version.medianMs, color: COLORS.B },
        { label: "helrc check", value: c.check.medianMs, color: c.checkMet ? COLORS.A : COLORS.miss },
        { label: "helrc build", value: c.build.medianMs, color: COLORS.other },
      ],
    });
  }
  const idle = results.idle;
  if (idle) {
    panels.push({
      title: `${idle.sources} sources scheduled in one idle process, CPU over ${idle.windowSecs} s`,
      unit: "%",
      target: 2,
      bars: [{ label: "helr run (idle)", value: idle.cpuPercent, color: idle.met ? COLORS.A : COLORS.miss }],
    });
  }
  const m = results.model;
  if (m?.durability?.length) {
    panels.push({
      title: `What per-page durability costs (${m.events.toLocaleString("en")} events, wall clock)`,
      note: "A with an fsync of the output and a SQLite commit per page, with fewer syncs, and B (no state, no fsync)",
      unit: "events/s",
      bars: m.durability.map((d) => ({
        label: d.variant.startsWith("B") ? "B  baseline" : `A  ${d.variant.replace("checkpoint: ", "")}`,
        value: d.A.eventsPerSec,
        color: d.variant.startsWith("B") ? COLORS.B : COLORS.A,
        text: `${Math.round(d.A.eventsPerSec).toLocaleString("en")} events/s, ${d.A.cpuUsPerEvent} µs CPU/event`,
      })),
    });
  }
  if (m?.eventBytes?.length) {
    panels.push({
      title: "CPU per event by event size (lower is better)",
      note: "A writes each event's bytes as received; B parses and re-serialises it",
      unit: "µs",
      bars: m.eventBytes.flatMap((p) => [
        { label: `A  ~${Math.round(p.eventBytes)} B events`, value: p.A.cpuUsPerEvent, color: COLORS.A },
        { label: `B  ~${Math.round(p.eventBytes)} B events`, value: p.B.cpuUsPerEvent, color: COLORS.B },
      ]),
    });
  }
  let y = 56;
  const body = [];
  for (const spec of panels) {
    const { svg, height } = panel(y, spec);
    body.push(svg);
    y += height;
  }
  const header = `helr benchmark — ${xml(results.date)} — node ${xml(results.node)}, ${results.cpus} CPUs`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="system-ui, sans-serif" role="img" aria-labelledby="title">
<title id="title">${header}</title>
<style>
.title { font-size: 15px; font-weight: 600; fill: #222; }
.note { font-size: 12px; fill: #666; }
.label { font-size: 13px; fill: #333; }
.value { font-size: 12px; fill: #222; }
.target { stroke: #d0453a; stroke-width: 1.5; stroke-dasharray: 5 4; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="30" font-size="18" font-weight="700" fill="#111">${header}</text>
${body.join("\n")}
</svg>
`;
}
