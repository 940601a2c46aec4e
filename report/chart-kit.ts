// What the report's charts share: a time axis relative to t0 (or to the drill's start when no fault
// took effect), the event markers (t0, detection, decisions, service and data restored, the RTO) and their labels.
// Relative times read the same in every timezone and line up with the "t0+…" figures of the tables.
import type { TopLevelSpec } from 'vega-lite';
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';

export const WIDTH = 640;
const MIN = 60_000;
const HOUR = 3_600_000;

export type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

export type Axis = { origin: number; unitMs: number; title: string; domain: [number, number] };
export type Marker = { at: number; label: string; kind: 't0' | 'detected' | 'decided' | 'restored' | 'data' | 'rto' };

const MARKER_STYLE: Record<Marker['kind'], { color: string; dash: number[] }> = {
  t0: { color: '#111111', dash: [] },
  detected: { color: '#b03a2e', dash: [4, 2] },
  decided: { color: '#6c3483', dash: [2, 2] },
  restored: { color: '#1e8449', dash: [] },
  data: { color: '#1e8449', dash: [4, 2] },
  rto: { color: '#b03a2e', dash: [7, 3] },
};

export function axisFor(r: Report, lo: number, hi: number): Axis {
  const origin = r.record.t0 ?? r.record.startedAt;
  const span = hi - lo;
  const [unitMs, unit] = span > 3 * HOUR ? [HOUR, 'hours'] : span > 5 * MIN ? [MIN, 'minutes'] : [1000, 'seconds'];
  const from = r.record.t0 !== null ? 't0' : 'the start of the drill';
  return { origin, unitMs, title: `${unit} from ${from}`, domain: [(lo - origin) / unitMs, (hi - origin) / unitMs] };
}
export const pos = (axis: Axis, ms: number) => (ms - axis.origin) / axis.unitMs;

/** The instants the brief asks to see: t0, when users saw the outage, each decision, when service and data were back. */
export function eventMarkers(r: Report): Marker[] {
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
    // Reports from before RTO to data was measured have no dataRestoredAt.
    if (o.rto.dataRestoredAt) out.push({ at: Date.parse(o.rto.dataRestoredAt), label: `data restored${of(o.system)}`, kind: 'data' });
  }
  return out;
}

export function rtoMarkers(r: Report): Marker[] {
  const t0 = r.record.t0;
  if (t0 === null) return [];
  const many = r.objectives.length > 1;
  return r.objectives.map((o) => ({ at: t0 + o.rto.targetMs, label: `RTO${many ? ` ${o.system}` : ''} t0+${d(o.rto.targetMs)}`, kind: 'rto' }));
}

/**
 * Rules for the markers and, when asked, their labels above the plot. Labels close in time would
 * overprint each other, so each goes to the first row where it clears the previous label.
 */
export function markerLayers(markers: Marker[], axis: Axis, labelled: boolean): Layer[] {
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

export const xEncoding = (axis: Axis, field: string, title: string | null = axis.title) => ({
  field, type: 'quantitative' as const, title,
  scale: { domain: axis.domain, nice: false, zero: false },
});
