// report.json → report.md, readable in a pull request. Pure: the same report renders the same text.
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';
import { heading, type Lang } from './headings.js';

const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? '**met**' : '**MISSED**');
const time = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(r: Report, lang: Lang = 'en'): string {
  const h = heading(lang);
  const out: string[] = [];
  const t0 = r.record.t0;
  const rel = (iso: string | null) => (iso && t0 !== null ? `t0${Date.parse(iso) >= t0 ? '+' : ''}${d(Date.parse(iso) - t0)}` : '');
  out.push(`# ${h('report')}: ${r.scenario}`, '');
  out.push(`| | |`, `|---|---|`,
    `| Drill | \`${r.drillId}\` |`,
    `| Status | ${r.status}${r.failure ? ` — ${cell(r.failure)}` : ''} |`,
    `| Started | ${time(r.startedAt)} |`,
    `| Ended | ${time(r.endedAt)} (${d(r.durationMs)}) |`,
    `| Disaster (t0) | ${time(r.t0)} |`, '');
  if (r.record.spec.description) out.push(r.record.spec.description.trim(), '');

  out.push(`## ${h('objectives')}`, '',
    '| System | RLO | RTO target | RTO actual | RTO | RPO target | RPO actual | RPO | Acknowledged writes | Lost writes |',
    '|---|---|---|---|---|---|---|---|---|---|');
  for (const o of r.objectives) {
    out.push(`| ${o.system} | ${o.rlo} | ${d(o.rto.targetMs)} | ${d(o.rto.actualMs)} | ${verdict(o.rto.met)} | ${d(o.rpo.targetMs)} | ${d(o.rpo.actualMs)} | ${verdict(o.rpo.met)} | ${o.rpo.acknowledgedWrites} | ${o.rpo.lostWrites} |`);
  }
  out.push('');
  for (const o of r.objectives) {
    if (o.note) out.push(`- ${o.system}: ${o.note}`);
    if (o.rto.detectedAt) out.push(`- ${o.system}: outage seen by users at ${time(o.rto.detectedAt)} (${rel(o.rto.detectedAt)}), service restored at ${time(o.rto.restoredAt)} (${rel(o.rto.restoredAt)}).`);
    if (o.rto.phases) {
      const p = o.rto.phases;
      out.push(`- ${o.system}: RTO by phase: detect ${d(p.detect)}, decide ${d(p.decide)}, recover ${d(p.recover)}, verify ${d(p.verify)}${p.between > 0 ? `, between steps ${d(p.between)}` : ''}.`);
    }
    if (o.rto.consumedBy.length) out.push(`- ${o.system}: the recovery time went to ${o.rto.consumedBy.slice(0, 5).map((c) => `\`${c.step}\` ${d(c.ms)}`).join(', ')}.`);
    if (o.rpo.unacknowledgedPresent || o.rpo.holes) out.push(`- ${o.system}: ${o.rpo.unacknowledgedPresent} writes present though never acknowledged; ${o.rpo.holes} lost from inside the surviving history.`);
  }
  out.push('');

  out.push(`## ${h('steps')}`, '', '| # | Step | Kind | Status | Started | Actual | Expected | Overrun |', '|---|---|---|---|---|---|---|---|');
  r.steps.forEach((s, i) => {
    const over = s.overrunMs !== null && s.overrunMs > 0 ? `+${d(s.overrunMs)}` : '';
    out.push(`| ${i + 1} | \`${s.id}\`${s.title ? ` ${cell(s.title)}` : ''} | ${s.kind} | ${s.status}${s.error ? `: ${cell(s.error.slice(0, 120))}` : ''} | ${time(s.startedAt)} | ${d(s.durationMs)} | ${d(s.expectedMs)} | ${over} |`);
  });
  out.push('');

  if (r.people.length) {
    out.push(`## ${h('people')}`, '', '| Step | Kind | Status | Actual | Expected | Confirmed by | Role | Note |', '|---|---|---|---|---|---|---|---|');
    for (const p of r.people) {
      const flags = [p.overrun && 'overrun', p.escalated && 'escalated'].filter(Boolean).join(', ');
      const note = [p.note, p.workaround && `workaround: ${p.workaround}`].filter(Boolean).join('; ');
      out.push(`| \`${p.step}\` | ${p.kind} | ${p.status}${flags ? ` (${flags})` : ''} | ${d(p.actualMs)} | ${d(p.expectedMs)} | ${p.confirmedBy ?? '—'} | ${p.role ?? ''} | ${cell(note)} |`);
    }
    out.push('');
  }
  if (r.decisions.length) {
    out.push(`### ${h('decisions')}`, '');
    for (const g of r.decisions) {
      out.push(g.decidedBy
        ? `- \`${g.step}\` ${g.decision}: decided by ${g.decidedBy} (${g.role}) at ${time(g.decidedAt)}${t0 !== null ? ` (${rel(g.decidedAt)})` : ''}, ${d(g.timeToDecideMs)} after it was asked.`
        : `- \`${g.step}\` ${g.decision}: not decided (needs ${g.role}).`);
    }
    out.push('');
  }

  out.push(`## ${h('breakdowns')}`, '');
  if (!r.breakdowns.length) out.push('None recorded.', '');
  else {
    out.push('| # | Step | Code | Cause | Effect | Time lost | Reported by | Note |', '|---|---|---|---|---|---|---|---|');
    r.breakdowns.forEach((b, i) => out.push(`| ${i + 1} | \`${b.step}\` | ${b.code} | ${b.cause} | ${b.effect} | ${d(b.lostMs)} | ${b.by}${b.source === 'verification' ? ' (contradicted by the system)' : ''} | ${cell(b.note)} |`));
    out.push('');
  }

  if (r.followUps.length) {
    out.push(`## ${h('followUps')}`, '', '| Follow-up | From drill | Owner | Due | Verdict | Evidence |', '|---|---|---|---|---|---|');
    for (const f of r.followUps) out.push(`| \`${f.id}\` ${cell(f.finding)} | ${f.from} | ${f.owner} | ${f.due} | **${f.verdict}** | ${cell(f.evidence)} |`);
    out.push('');
  }

  if (r.notifications.length) {
    out.push(`## ${h('notifications')}`, '');
    r.notifications.forEach((n, i) => out.push(`${i + 1}. ${time(n.at)}${t0 !== null ? ` (${rel(n.at)})` : ''} — ${n.audience} → ${n.to}: ${n.message} (by ${n.by})`));
    out.push('');
  }

  out.push(`## ${h('timeline')}`, '');
  r.record.timeline.forEach((e, i) => {
    out.push(`${i + 1}. ${time(new Date(e.at).toISOString())}${t0 !== null ? ` (${rel(new Date(e.at).toISOString())})` : ''} — **${e.type}**${e.step ? ` \`${e.step}\`` : ''}: ${e.detail}`);
  });
  out.push('');

  if (r.record.cleanup) {
    const c = r.record.cleanup;
    out.push(`## ${h('cleanup')}`, '', c.error ? `Cleanup FAILED: ${c.error}` : `Removed ${c.containers} containers, ${c.networks} networks and ${c.volumes} volumes labelled \`drill.run=${r.drillId}\`.`, '');
  }
  out.push(`## ${h('measurement')}`, '', ...r.measurement.map((m) => `- ${m}`), '');
  return out.join('\n');
}
