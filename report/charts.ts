// The report's pictures, as vega-lite specs built from the Report and rendered to SVG strings in Node,
// so report.html carries them inline and needs no script and no fetch to show them.
// Times are plotted relative to t0 (or to the drill's start when no fault took effect): relative
// times read the same in every timezone and line up with the "t0+…" figures of the tables.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatDuration as d } from '../model/duration.js';
import type { SampleRun } from '../model/record.js';
import { presentSet, sampleGaps } from '../model/measure.js';
import type { Report } from './build.js';

/** svg is empty when the chart could not be drawn; error says why. */
export type Chart = { id: string; title: string; caption: string; svg: string; error?: string };

const WIDTH = 640;
const MIN = 60_000;
const HOUR = 3_600_000;
// An RTO line further out than this many drill spans would squeeze every step into a sliver:
// it is then pinned to the right edge and labelled as off scale instead.
const RTO_SCALE_LIMIT = 20;
// More buckets than this and the write bars blur into each other; the bucket grows instead.
const MAX_BUCKETS = 600;

type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];
type Panel = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

type Axis = { origin: number; unitMs: number; title: string; domain: [number, number] };
type Marker = { at: number; label: string; kind: 't0' | 'detected' | 'decided' | 'restored' | 'rto' };

const MARKER_STYLE: Record<Marker['kind'], { color: string; dash: number[] }> = {
  t0: { color: '#111111', dash: [] },
  detected: { color: '#b03a2e', dash: [4, 2] },
  decided: { color: '#6c3483', dash: [2, 2] },
  restored: { color: '#1e8449', dash: [] },
  rto: { color: '#b03a2e', dash: [7, 3] },
};

function axisFor(r: Report, lo: number, hi: number): Axis {
  const origin = r.record.t0 ?? r.record.startedAt;
  const span = hi - lo;
  const [unitMs, unit] = span > 3 * HOUR ? [HOUR, 'hours'] : span > 5 * MIN ? [MIN, 'minutes'] : [1000, 'seconds'];
  const from = r.record.t0 !== null ? 't0' : 'the start of the drill';
  return { origin, unitMs, title: `${unit} from ${from}`, domain: [(lo - origin) / unitMs, (hi - origin) / unitMs] };
}
const pos = (axis: Axis, ms: number) => (ms - axis.origin) / axis.unitMs;

/** The instants the brief asks to see: t0, when users saw the outage, each decision, when service was back. */
function eventMarkers(r: Report): Marker[] {
  const many = r.objectives.length > 1;
  const of = (system: string) => (many ? ` (${system})` : '');
  const out: Marker[] = [];
  if (r.record.t0 !== null) out.push({ at: r.record.t0, label: 't0', kind: 't0' });
  for (const o of r.objectives) {
    if (o.rto.detectedAt) out.push({ at: Date.parse(o.rto.detectedAt), label: `detected${of(o.system)}`, kind: 'detected' });
  }
  for (const g of r.decisions) if (g.decidedAt) out.push({ at: Date.parse(g.decidedAt), label: `decided: ${g.step}`, kind: 'decided' });
  for (const o of r.objectives) {
    if (o.rto.restoredAt) out.push({ at: Date.parse(o.rto.restoredAt), label: `restored${of(o.system)}`, kind: 'restored' });
  }
  return out;
}

function rtoMarkers(r: Report): Marker[] {
  const t0 = r.record.t0;
  if (t0 === null) return [];
  const many = r.objectives.length > 1;
  return r.objectives.map((o) => ({ at: t0 + o.rto.targetMs, label: `RTO${many ? ` ${o.system}` : ''} t0+${d(o.rto.targetMs)}`, kind: 'rto' }));
}

/**
 * Rules for the markers and, when asked, their labels above the plot. Labels close in time would
 * overprint each other, so each goes to the first row where it clears the previous label.
 */
function markerLayers(markers: Marker[], axis: Axis, labelled: boolean): Layer[] {
  const [lo, hi] = axis.domain;
  const px = (x: number) => ((x - lo) / (hi - lo || 1)) * WIDTH;
  const rowEnds: number[] = [];
  const layers: Layer[] = [];
  const placed = markers
    .map((m) => {
      const x = pos(axis, m.at);
      const off = x > hi;
      return { ...m, x: off ? hi : x, label: off ? `${m.label} ▶ (off scale)` : m.label };
    })
    .filter((m) => m.x >= lo)
    .sort((a, b) => a.x - b.x || a.label.localeCompare(b.label));
  for (const m of placed) {
    const style = MARKER_STYLE[m.kind];
    layers.push({
      data: { values: [{ x: m.x }] },
      mark: { type: 'rule', color: style.color, strokeWidth: 1.5, ...(style.dash.length && { strokeDash: style.dash }) },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    });
    if (!labelled) continue;
    const start = px(m.x);
    // 6px per character is vega's own estimate for 10px sans-serif without a canvas.
    const width = m.label.length * 6 + 8;
    const alignRight = start + width > WIDTH + 40;
    const [from, to] = alignRight ? [start - width, start] : [start, start + width];
    let row = rowEnds.findIndex((end) => end < from);
    if (row < 0) row = rowEnds.push(to) - 1;
    else rowEnds[row] = to;
    layers.push({
      data: { values: [{ x: m.x, label: m.label }] },
      mark: { type: 'text', align: alignRight ? 'right' : 'left', dx: alignRight ? -3 : 3, y: -8 - row * 12, fontSize: 10, color: style.color, fontWeight: m.kind === 'rto' || m.kind === 't0' ? 'bold' : 'normal' },
      encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } },
    });
  }
  return layers;
}

const xEncoding = (axis: Axis, field: string, title: string | null = axis.title) => ({
  field, type: 'quantitative' as const, title,
  scale: { domain: axis.domain, nice: false, zero: false },
});

const STATE_SCALE = {
  domain: ['within its expected time', 'overran its expected time', 'failed', 'no expected time'],
  range: ['#2874a6', '#d68910', '#b03a2e', '#7b8a8b'],
};
// One legend for fill and outline: vega-lite merges the two when they are declared alike.
const STATE_LEGEND = { orient: 'bottom', direction: 'horizontal', symbolType: 'square', labelLimit: 300 } as const;

/** Steps as bars from start to end, the runbook's expectation as a ghost bar behind, the RTO as a line. */
export function stepsSpec(r: Report): TopLevelSpec | null {
  const timed = r.steps.filter((s) => s.startedAt);
  if (!timed.length) return null;
  const endOf = (s: Report['steps'][number]) => {
    const start = Date.parse(s.startedAt!);
    if (s.durationMs !== undefined) return start + s.durationMs;
    return s.endedAt ? Date.parse(s.endedAt) : (r.record.endedAt ?? start);
  };
  const events = eventMarkers(r);
  const times = [...timed.flatMap((s) => [Date.parse(s.startedAt!), endOf(s)]), ...events.map((m) => m.at)];
  let lo = Math.min(...times);
  let hi = Math.max(...times);
  const span = Math.max(hi - lo, 1000);
  const rto = rtoMarkers(r);
  for (const m of rto) if (m.at <= lo + RTO_SCALE_LIMIT * span) hi = Math.max(hi, m.at);
  // Room on the right for the duration captions beside the last bars.
  hi += (hi - lo) * 0.12;
  lo -= (hi - lo) * 0.01;
  const axis = axisFor(r, lo, hi);
  const labels = r.steps.map((s, i) => `${i + 1} ${s.id}`);
  const rows = r.steps.map((s, i) => {
    const start = s.startedAt ? Date.parse(s.startedAt) : null;
    const end = start !== null ? endOf(s) : null;
    const state = s.status === 'failed' ? 'failed'
      : s.overrunMs !== null && s.overrunMs > 0 ? 'overran its expected time'
        : s.expectedMs !== undefined ? 'within its expected time' : 'no expected time';
    const actual = start !== null && end !== null ? d(end - start) : s.status;
    const caption = `${actual}${s.expectedMs !== undefined ? `, expected ${d(s.expectedMs)}` : ''}${s.overrunMs !== null && s.overrunMs > 0 ? ` (+${d(s.overrunMs)})` : ''}${start !== null && s.status !== 'completed' ? ` — ${s.status}` : ''}`;
    return {
      step: labels[i], state, caption,
      start: start === null ? null : pos(axis, start), end: end === null ? null : pos(axis, end),
      expectedEnd: start !== null && s.expectedMs !== undefined ? pos(axis, start + s.expectedMs) : null,
      captionAt: end === null ? axis.domain[0] : pos(axis, end),
    };
  });
  const y = { field: 'step', type: 'nominal' as const, title: null, sort: labels, axis: { labelLimit: 180, labelFontSize: 11 } };
  const layers: Layer[] = [
    {
      transform: [{ filter: 'datum.expectedEnd !== null' }],
      mark: { type: 'bar', clip: true, fill: '#eef1f4', stroke: '#8a96a3', strokeDash: [3, 2], strokeWidth: 1, height: { band: 0.8 } },
      encoding: { x: xEncoding(axis, 'start'), x2: { field: 'expectedEnd' }, y },
    },
    {
      transform: [{ filter: 'datum.start !== null' }],
      // The outline in the bar's own colour keeps a step of a few milliseconds visible as a sliver.
      mark: { type: 'bar', clip: true, height: { band: 0.45 }, strokeWidth: 1 },
      encoding: {
        x: xEncoding(axis, 'start'), x2: { field: 'end' }, y,
        color: { field: 'state', type: 'nominal', title: null, scale: STATE_SCALE, legend: STATE_LEGEND },
        stroke: { field: 'state', type: 'nominal', title: null, scale: STATE_SCALE, legend: STATE_LEGEND },
      },
    },
    {
      transform: [{ filter: 'datum.expectedEnd !== null' }],
      mark: { type: 'tick', clip: true, color: '#34495e', thickness: 2, bandSize: 16 },
      encoding: { x: xEncoding(axis, 'expectedEnd'), y },
    },
    {
      mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#222222' },
      encoding: { x: xEncoding(axis, 'captionAt'), y, text: { field: 'caption' } },
    },
    ...markerLayers([...events, ...rto], axis, true),
  ];
  return {
    description: `Steps of drill ${r.drillId}: actual duration against the runbook's expected duration, with t0 and the RTO target`,
    width: WIDTH, height: { step: 24 }, background: 'white',
    data: { values: rows },
    layer: layers,
    config: { font: 'sans-serif', view: { stroke: '#cccccc' }, axis: { labelFontSize: 10, titleFontSize: 11 } },
  };
}

/**
 * Runs to drawable bands: a run lasts until the next one starts (a failing sample can take its whole
 * timeout), except across a stretch the report calls a sampling gap, which stays blank.
 */
function runBands(runs: SampleRun[], intervalMs: number, timeoutMs: number): { from: number; to: number; ok: boolean }[] {
  const gapAfter = new Set(sampleGaps(runs, intervalMs, timeoutMs).map((g) => g.from));
  const bands: { from: number; to: number; ok: boolean }[] = [];
  runs.forEach((run, i) => {
    const next = runs[i + 1];
    const to = next && !gapAfter.has(run.lastAt) ? Math.max(next.firstAt, run.lastAt) : run.lastAt + intervalMs;
    // Runs split only by a different error message draw as one band.
    const last = bands[bands.length - 1];
    if (last && last.ok === run.ok && last.to === run.firstAt) last.to = to;
    else bands.push({ from: run.firstAt, to, ok: run.ok });
  });
  return bands;
}

const OUTCOMES = ['acknowledged', 'acknowledged, then lost', 'never acknowledged'] as const;

/** Availability per probe, then for each ledger its writes per bucket by outcome, with the event rules. */
export function impactSpec(r: Report): TopLevelSpec | null {
  const { record } = r;
  const probes = Object.entries(record.spec.probes);
  const bands = probes.flatMap(([name, p]) => (p.kind === 'availability'
    ? runBands(record.availability[name] ?? [], p.intervalMs, p.timeoutMs).map((b) => ({ probe: name, ...b })) : []));
  const ledgers = probes.flatMap(([name, p]) => (p.kind === 'ledger' && record.ledger[name]?.writes.length ? [name] : []));
  if (!bands.length && !ledgers.length) return null;
  const events = eventMarkers(r);
  const times = [...bands.flatMap((b) => [b.from, b.to]), ...events.map((m) => m.at),
    ...ledgers.flatMap((name) => { const w = record.ledger[name]!.writes; return [w[0]![1], w[w.length - 1]![1]]; })];
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const axis = axisFor(r, lo - (hi - lo) * 0.01, hi + (hi - lo) * 0.01);
  const panels: Panel[] = [];
  if (bands.length) {
    panels.push({
      width: WIDTH, height: { step: 22 },
      data: { values: bands.map((b) => ({ probe: b.probe, x: pos(axis, b.from), x2: pos(axis, b.to), state: b.ok ? 'answered' : 'failed' })) },
      layer: [
        {
          mark: { type: 'bar', clip: true, height: { band: 0.7 } },
          encoding: {
            x: xEncoding(axis, 'x', ledgers.length ? null : axis.title), x2: { field: 'x2' },
            y: { field: 'probe', type: 'nominal', title: 'availability', axis: { labelFontSize: 11 } },
            color: { field: 'state', type: 'nominal', title: 'probe sample', scale: { domain: ['answered', 'failed'], range: ['#52a366', '#c0392b'] }, legend: { orient: 'right', labelLimit: 300 } },
          },
        },
        ...markerLayers(events, axis, true),
      ],
    });
  }
  ledgers.forEach((name, i) => {
    const { writes, readback } = record.ledger[name]!;
    const present = readback ? presentSet(readback) : null;
    const spanMs = writes[writes.length - 1]![1] - writes[0]![1];
    const bucketMs = Math.max(1000, Math.ceil(spanMs / MAX_BUCKETS / 1000) * 1000);
    const counts = new Map<number, number[]>();
    for (const [seq, sentAt, ackAt] of writes) {
      const bucket = Math.floor((sentAt - axis.origin) / bucketMs);
      const c = counts.get(bucket) ?? [0, 0, 0];
      const k = ackAt < 0 ? 2 : present && !present(seq) ? 1 : 0;
      c[k] = (c[k] ?? 0) + 1;
      counts.set(bucket, c);
    }
    // Stacked here rather than by vega-lite, which does not stack bars that carry x2.
    const stacked = [...counts.entries()].sort((a, b) => a[0] - b[0]).flatMap(([bucket, c]) => {
      let base = 0;
      return OUTCOMES.flatMap((outcome, k) => {
        const n = c[k]!;
        if (!n) return [];
        const row = { x: pos(axis, axis.origin + bucket * bucketMs), x2: pos(axis, axis.origin + (bucket + 1) * bucketMs), y: base, y2: base + n, outcome, n };
        base += n;
        return [row];
      });
    });
    panels.push({
      width: WIDTH, height: 150,
      data: { values: stacked },
      layer: [
        {
          mark: { type: 'bar', clip: true, stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x: xEncoding(axis, 'x', i === ledgers.length - 1 ? axis.title : null), x2: { field: 'x2' },
            y: { field: 'y', type: 'quantitative', title: [`${name}: writes`, `per ${bucketMs === 1000 ? 'second' : d(bucketMs)} (by send time)`] }, y2: { field: 'y2' },
            color: { field: 'outcome', type: 'nominal', title: 'ledger write', scale: { domain: [...OUTCOMES], range: ['#52a366', '#e67e22', '#c0392b'] }, legend: { orient: 'right', labelLimit: 300 } },
          },
        },
        ...markerLayers(events, axis, !bands.length && i === 0),
      ],
    });
  });
  return {
    description: `Impact of drill ${r.drillId} over time: availability probe samples and ledger writes, with t0, detection, decisions and recovery`,
    background: 'white', spacing: 16,
    vconcat: panels,
    resolve: { scale: { color: 'independent' } },
    config: { font: 'sans-serif', view: { stroke: '#cccccc' }, axis: { labelFontSize: 10, titleFontSize: 11 }, legend: { labelFontSize: 10, titleFontSize: 10 } },
  };
}

/**
 * vega numbers clip paths and gradients from process-wide counters: ids would differ between two
 * renders of the same report, and collide between two charts inlined in one page. Each chart's ids
 * are renumbered under its own prefix, in order of appearance.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  const scoped = (id: string) => ids.get(id) ?? ids.set(id, `${prefix}-${ids.size + 1}`).get(id)!;
  return svg.replace(/\bid="([^"]+)"|url\(#([^)]+)\)|href="#([^"]+)"/g, (_m, id?: string, url?: string, href?: string) => (
    id !== undefined ? `id="${scoped(id)}"` : url !== undefined ? `url(#${scoped(url)})` : `href="#${scoped(href!)}"`));
}

export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return scopeSvgIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

const hasWrites = (r: Report) => Object.values(r.record.ledger).some((l) => l.writes.length > 0);

const CHARTS: { id: string; title: string; caption: (r: Report) => string; spec: (r: Report) => TopLevelSpec | null }[] = [
  {
    id: 'steps-chart', title: 'Steps against the runbook', spec: stepsSpec,
    caption: () => 'Each bar is a step from its start to its end; the dashed ghost bar behind it is the runbook\'s expected duration, ending at the tick. Vertical rules: t0, when users saw the outage, decisions, when service was restored, and t0 + the RTO target.',
  },
  {
    id: 'impact-chart', title: 'Impact over time', spec: impactSpec,
    caption: (r) => `Availability as the probes saw it (each sample stands for its interval; blank where nothing was sampled)${hasWrites(r)
      ? ', and the write ledger\'s writes per interval by outcome: acknowledged, acknowledged but missing after recovery, never acknowledged'
      : ''}. Vertical rules: t0, when users saw the outage, decisions, when service was restored.`,
  },
];

/**
 * Charts with something to show. A chart that cannot be drawn says so in its place: the drill's
 * figures and tables must reach the report whatever happens to a picture.
 */
export async function renderCharts(r: Report): Promise<Chart[]> {
  const out: Chart[] = [];
  for (const { spec, caption, ...c } of CHARTS) {
    const chart = { ...c, caption: caption(r) };
    try {
      const s = spec(r);
      if (s) out.push({ ...chart, svg: await renderSvg(s, c.id) });
    } catch (e) {
      out.push({ ...chart, svg: '', error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
