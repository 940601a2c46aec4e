// The report's pictures, as vega-lite specs built from the Report (report/steps-chart.ts,
// report/impact-chart.ts) and rendered to SVG strings in Node, so report.html carries them inline and
// needs no script and no fetch to show them.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Report } from './build.js';
import { stepsSpec } from './steps-chart.js';
import { impactSpec } from './impact-chart.js';

/** svg is empty when the chart could not be drawn; error says why. */
export type Chart = { id: string; title: string; caption: string; svg: string; error?: string };

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
