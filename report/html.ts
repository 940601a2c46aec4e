// report.json → report.html: what report.md says, as HTML tables and lists, plus the pictures (steps
// against the runbook, impact over time) inlined as SVG. One self-contained file: no script, no font,
// nothing fetched, so it opens from an archive or an air-gapped share and prints to PDF as it is.
// Pure apart from the chart rendering being async: the same report renders the same bytes.
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';
import { renderCharts, type Chart } from './charts.js';
import { heading, type Heading, type Lang } from './headings.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const time = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
const code = (s: string) => `<code>${esc(s)}</code>`;
const verdict = (met: boolean | null) => (met === null ? '<span class="unmeasured">not measured</span>' : met ? '<strong class="met">met</strong>' : '<strong class="missed">MISSED</strong>');

/** Cells are HTML already: callers escape what came from the record. */
function table(head: string[], rows: string[][], numeric: number[] = []): string {
  const cell = (tag: 'th' | 'td', c: string, i: number) => `<${tag}${numeric.includes(i) ? ' class="num"' : ''}>${c}</${tag}>`;
  return [
    '<table>',
    `<thead><tr>${head.map((h, i) => cell('th', esc(h), i)).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}
const list = (items: string[], ordered = false) => (items.length ? `<${ordered ? 'ol' : 'ul'}>\n${items.map((i) => `<li>${i}</li>`).join('\n')}\n</${ordered ? 'ol' : 'ul'}>` : '');

type Section = { id: string; title: string; body: string; level?: 2 | 3; major?: boolean };

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1b1f23; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6em; margin: 0 0 .5em; }
h2 { font-size: 1.25em; margin: 1.8em 0 .6em; padding-bottom: .2em; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
nav { font-size: 12px; color: #57606a; margin: .4em 0 1em; }
nav a { color: #0b5cad; margin-right: .9em; white-space: nowrap; }
table { border-collapse: collapse; margin: .5em 0 .8em; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f3f5f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary th { background: #f3f5f7; font-weight: 600; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; background: #f3f5f7; padding: 0 .25em; border-radius: 3px; }
.met { color: #1a7f37; } .missed { color: #b03a2e; } .unmeasured { color: #57606a; }
.rel { color: #57606a; }
figure { margin: .6em 0 1.4em; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: .4em; font-size: .86em; color: #57606a; max-width: 62em; }
li { margin: .15em 0; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5px; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  section.major { break-before: page; }
  h2, h3 { break-after: avoid; }
  figure, tr, li { break-inside: avoid; }
  thead { display: table-header-group; }
  thead th, table.summary th, code { background: none; }
  table { font-size: 10px; }
}
`.trim();

function sections(r: Report, charts: Chart[], h: (k: Heading) => string): Section[] {
  const t0 = r.record.t0;
  const rel = (iso: string | null) => (iso && t0 !== null ? `t0${Date.parse(iso) >= t0 ? '+' : ''}${d(Date.parse(iso) - t0)}` : '');
  const when = (iso: string | null) => `${esc(time(iso))}${t0 !== null && iso ? ` <span class="rel">(${rel(iso)})</span>` : ''}`;
  const out: Section[] = [];

  const findings: string[] = [];
  for (const o of r.objectives) {
    const s = esc(o.system);
    if (o.note) findings.push(`${s}: ${esc(o.note)}`);
    if (o.rto.detectedAt) findings.push(`${s}: outage seen by users at ${when(o.rto.detectedAt)}, service restored at ${when(o.rto.restoredAt)}.`);
    if (o.rto.phases) {
      const p = o.rto.phases;
      findings.push(`${s}: RTO by phase: detect ${d(p.detect)}, decide ${d(p.decide)}, recover ${d(p.recover)}, verify ${d(p.verify)}${p.between > 0 ? `, between steps ${d(p.between)}` : ''}.`);
    }
    if (o.rto.consumedBy.length) findings.push(`${s}: the recovery time went to ${o.rto.consumedBy.slice(0, 5).map((c) => `${code(c.step)} ${d(c.ms)}`).join(', ')}.`);
    if (o.rpo.unacknowledgedPresent || o.rpo.holes) findings.push(`${s}: ${o.rpo.unacknowledgedPresent} writes present though never acknowledged; ${o.rpo.holes} lost from inside the surviving history.`);
  }
  out.push({
    id: 'objectives', title: h('objectives'),
    body: table(['System', 'RLO', 'RTO target', 'RTO actual', 'RTO', 'RPO target', 'RPO actual', 'RPO', 'Acknowledged writes', 'Lost writes'],
      r.objectives.map((o) => [esc(o.system), esc(o.rlo), d(o.rto.targetMs), d(o.rto.actualMs), verdict(o.rto.met), d(o.rpo.targetMs), d(o.rpo.actualMs), verdict(o.rpo.met), String(o.rpo.acknowledgedWrites), String(o.rpo.lostWrites)]),
      [2, 3, 5, 6, 8, 9]) + list(findings),
  });

  if (charts.length) {
    out.push({
      id: 'charts', title: 'Timeline and impact', major: true,
      body: charts.map((c) => `<figure id="${c.id}">\n<h3>${esc(c.title)}</h3>\n${c.error ? `<p class="missed">This chart could not be drawn: ${esc(c.error)}</p>` : c.svg}\n<figcaption>${esc(c.caption)}</figcaption>\n</figure>`).join('\n'),
    });
  }

  out.push({
    id: 'steps', title: h('steps'), major: true,
    body: table(['#', 'Step', 'Kind', 'Status', 'Started', 'Actual', 'Expected', 'Overrun'], r.steps.map((s, i) => [
      String(i + 1), `${code(s.id)}${s.title ? ` ${esc(s.title)}` : ''}`, esc(s.kind),
      `${esc(s.status)}${s.error ? `: ${esc(s.error.slice(0, 120))}` : ''}`, esc(time(s.startedAt)), d(s.durationMs), d(s.expectedMs),
      s.overrunMs !== null && s.overrunMs > 0 ? `+${d(s.overrunMs)}` : '',
    ]), [0, 5, 6, 7]),
  });

  if (r.people.length) {
    out.push({
      id: 'people', title: h('people'),
      body: table(['Step', 'Kind', 'Status', 'Actual', 'Expected', 'Confirmed by', 'Role', 'Note'], r.people.map((p) => {
        const flags = [p.overrun && 'overrun', p.escalated && 'escalated'].filter(Boolean).join(', ');
        const note = [p.note, p.workaround && `workaround: ${p.workaround}`].filter(Boolean).join('; ');
        return [code(p.step), esc(p.kind), `${esc(p.status)}${flags ? ` (${flags})` : ''}`, d(p.actualMs), d(p.expectedMs), esc(p.confirmedBy ?? '—'), esc(p.role ?? ''), esc(note)];
      }), [3, 4]),
    });
  }
  if (r.decisions.length) {
    out.push({
      id: 'decisions', title: h('decisions'), level: 3,
      body: list(r.decisions.map((g) => (g.decidedBy
        ? `${code(g.step)} ${esc(g.decision)}: decided by ${esc(g.decidedBy)} (${esc(g.role)}) at ${when(g.decidedAt)}, ${d(g.timeToDecideMs)} after it was asked.`
        : `${code(g.step)} ${esc(g.decision)}: not decided (needs ${esc(g.role)}).`))),
    });
  }

  out.push({
    id: 'breakdowns', title: h('breakdowns'),
    body: r.breakdowns.length
      ? table(['#', 'Step', 'Code', 'Cause', 'Effect', 'Time lost', 'Reported by', 'Note'], r.breakdowns.map((b, i) => [
        String(i + 1), code(b.step), esc(b.code), esc(b.cause), esc(b.effect), d(b.lostMs),
        `${esc(b.by)}${b.source === 'verification' ? ' (contradicted by the system)' : ''}`, esc(b.note),
      ]), [0, 5])
      : '<p>None recorded.</p>',
  });

  if (r.followUps.length) {
    out.push({
      id: 'follow-ups', title: h('followUps'),
      body: table(['Follow-up', 'From drill', 'Owner', 'Due', 'Verdict', 'Evidence'], r.followUps.map((f) => [
        `${code(f.id)} ${esc(f.finding)}`, esc(f.from), esc(f.owner), esc(f.due), `<strong>${esc(f.verdict)}</strong>`, esc(f.evidence),
      ])),
    });
  }

  if (r.notifications.length) {
    out.push({
      id: 'notifications', title: h('notifications'),
      body: list(r.notifications.map((n) => `${when(n.at)} — ${esc(n.audience)} → ${esc(n.to)}: ${esc(n.message)} (by ${esc(n.by)})`), true),
    });
  }

  out.push({
    id: 'response-timeline', title: h('timeline'), major: true,
    body: list(r.record.timeline.map((e) => `${when(new Date(e.at).toISOString())} — <strong>${esc(e.type)}</strong>${e.step ? ` ${code(e.step)}` : ''}: ${esc(e.detail)}`), true),
  });

  if (r.record.cleanup) {
    const c = r.record.cleanup;
    out.push({
      id: 'cleanup', title: h('cleanup'),
      body: `<p>${c.error ? `Cleanup FAILED: ${esc(c.error)}` : `Removed ${c.containers} containers, ${c.networks} networks and ${c.volumes} volumes labelled ${code(`drill.run=${r.drillId}`)}.`}</p>`,
    });
  }
  out.push({ id: 'measurement', title: h('measurement'), body: list(r.measurement.map(esc)) });
  return out;
}

export async function renderHtml(r: Report, lang: Lang = 'en'): Promise<string> {
  const h = heading(lang);
  const charts = await renderCharts(r);
  const all = sections(r, charts, h);
  const summary = [
    ['Drill', code(r.drillId)],
    ['Status', `${esc(r.status)}${r.failure ? ` — ${esc(r.failure)}` : ''}`],
    ['Started', esc(time(r.startedAt))],
    ['Ended', `${esc(time(r.endedAt))} (${d(r.durationMs)})`],
    ['Disaster (t0)', esc(time(r.t0))],
  ];
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    // Enforces what the file promises: nothing is fetched, whatever a viewer does with it.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h('report')}: ${esc(r.scenario)} (${esc(r.drillId)})</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    `<h1>${h('report')}: ${esc(r.scenario)}</h1>`,
    `<nav>${all.filter((s) => (s.level ?? 2) === 2).map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join(' ')}</nav>`,
    `<table class="summary">\n<tbody>\n${summary.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('\n')}\n</tbody></table>`,
    r.record.spec.description ? `<p class="description">${esc(r.record.spec.description.trim())}</p>` : '',
    '</header>',
    ...all.map((s) => {
      const level = s.level ?? 2;
      return `<section id="${s.id}"${s.major ? ' class="major"' : ''}>\n<h${level}>${esc(s.title)}</h${level}>\n${s.body}\n</section>`;
    }),
    '</main>',
    '</body>',
    '</html>',
  ].filter((line) => line !== '').join('\n') + '\n';
}
