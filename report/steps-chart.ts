// The steps chart: each step from its start to its end against the runbook's expected duration,
// with t0, the events and the RTO target as rules.
import type { TopLevelSpec } from 'vega-lite';
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';
import { WIDTH, axisFor, eventMarkers, markerLayers, pos, rtoMarkers, xEncoding, type Layer } from './chart-kit.js';

// An RTO line further out than this many drill spans would squeeze every step into a sliver:
// it is then pinned to the right edge and labelled as off scale instead.
const RTO_SCALE_LIMIT = 20;

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
