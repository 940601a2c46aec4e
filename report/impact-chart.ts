// The impact chart: availability as the probes saw it, then each write ledger's writes per interval
// by outcome, with the events as rules.
import type { TopLevelSpec } from 'vega-lite';
import { formatDuration as d } from '../model/duration.js';
import type { SampleRun } from '../model/record.js';
import { presentSet, sampleGaps } from '../model/measure.js';
import type { Report } from './build.js';
import { WIDTH, axisFor, eventMarkers, markerLayers, pos, xEncoding } from './chart-kit.js';

type Panel = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

// More buckets than this and the write bars blur into each other; the bucket grows instead.
const MAX_BUCKETS = 600;

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
