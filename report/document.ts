// The report's content, once, in the order of the regulator's serious-incident report (DOMAIN.md, "The
// report"): summary per impairment, configuration, response and notification timelines, objectives
// with the phase breakdown, runbook breakdowns, causes and measures, proposed revisions. report.md and
// report.html render this same document, so they cannot say different things. Pure.
// Inline text is markdown-flavoured: `code`, **strong**, and `lit()` escapes what came from a record.
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';
import { type Lang } from '../model/lang.js';
import { heading } from './headings.js';
import { proposeRevisions } from './proposals.js';
import { iso, readableTime as time } from './time.js';
import { UNHEALABLE } from '../model/fault.js';
import type { ScenarioHistory } from './history.js';
import { code, list, lit, table, text, type Section } from './markup.js';
import { objectivesBlocks, summaryBlocks } from './objectives-section.js';
import { percent } from './objectives.js';

export type { Block, Section } from './markup.js';
export type ReportDocument = { title: string; summary: [string, string][]; description?: string; sections: Section[] };

/**
 * `trend`: this scenario's history across the drills in the results directory (this one included),
 * shown after the objectives when there is more than one drill to compare.
 */
export function reportDocument(r: Report, lang: Lang = 'en', trend?: ScenarioHistory): ReportDocument {
  const h = heading(lang);
  const { record } = r;
  const { spec } = record;
  const t0 = record.t0;
  const rel = (iso: string | null) => (iso && t0 !== null ? ` (t0${Date.parse(iso) >= t0 ? '+' : ''}${d(Date.parse(iso) - t0)})` : '');
  const at = (iso: string | null) => `${time(iso)}${rel(iso)}`;
  const sections: Section[] = [];

  // 1. Summary: occurrence and recovery per impairment, with its symptoms and the cause.
  sections.push({ id: 'summary', title: h('summary'), blocks: summaryBlocks(r, at) });

  // 2. The configuration drilled.
  const containers = Object.entries(spec.topology.containers);
  sections.push({
    id: 'configuration', title: h('configuration'), blocks: [
      table(['Container', 'Image', 'Networks (sites)', 'Published ports', 'Volumes'], containers.map(([name, c]) => [
        code(name), lit(c.image), c.networks.map(lit).join(', ') || '—', c.ports.join(', ') || '—',
        Object.entries(c.volumes).map(([v, p]) => `${lit(v)} → ${lit(p)}`).join(', ') || '—',
      ])),
      list(Object.entries(spec.probes).map(([name, p]) => `${code(name)}: ${p.kind} probe of ${code(`${p.target.container}:${p.target.port}`)} every ${d(p.intervalMs)}`)),
    ],
  });

  // 5. Response timeline, then the notification timeline.
  sections.push({
    id: 'response-timeline', title: h('timeline'), major: true,
    blocks: [list(record.timeline.map((e) => `${at(new Date(e.at).toISOString())} — **${lit(e.type)}**${e.step ? ` ${code(e.step)}` : ''}: ${lit(e.detail)}`), true)],
  });
  const ex = r.exercise;
  if (ex) {
    const rv = ex.reveal;
    sections.push({
      id: 'exercise', title: h('exercise'), major: true, blocks: [
        table(['Measure', 'When', 'By', 'From t0'], [
          ['First symptom (monitoring)', at(ex.firstSymptomAt), '—', d(ex.timeToSymptomMs)],
          ['Time to detect', at(ex.detectedAt), lit(ex.detectedBy ?? '—'), d(ex.timeToDetectMs)],
          ['Time to declare', at(ex.declaredAt), lit(ex.declaredBy ?? '—'), d(ex.timeToDeclareMs)],
        ]),
        ...((ex.timeToDetectMs ?? 0) < 0 || (ex.timeToDeclareMs ?? 0) < 0 ? [text('**Reported before the fault took effect**: a false alarm or a guess; the real incident\'s detection is not measured.')] : []),
        text(`Facilitator ${lit(ex.facilitator)}; the fault was due within ${d(ex.windowMs)} of the start${ex.pausedMs > 0 ? `; held paused for ${d(ex.pausedMs)} in all (a pause before a detection or declaration is left out of its time)` : ''}.`),
        list([
          `Reveal: scenario ${code(rv.scenario)} (pool entry ${rv.pool}, seed ${rv.seed}), let loose ${d(rv.momentPlannedMs)} into the exercise, at ${at(iso(rv.momentAt))}.`,
          ...rv.faults.map((f) => `Fault ${code(f.step)}: ${f.type} on ${code(f.target)}, took effect ${at(iso(f.effectAt))}, healed ${at(iso(f.healedAt))}.`),
          ...ex.injects.map((i) => `Inject at ${at(i.at)}: ${lit(i.detail)}${i.note ? ` (${lit(i.note)})` : ''}.`),
          ...ex.pauses.map((p) => `Paused ${at(p.at)} until ${p.until ? at(p.until) : 'the end'}${p.reason ? `: ${lit(p.reason)}` : ''}.`),
        ]),
      ],
    });
  }
  if (r.notifications.length) {
    sections.push({
      id: 'notifications', title: h('notifications'),
      blocks: [list(r.notifications.map((n) => `${at(n.at)} — ${lit(n.audience)} → ${lit(n.to)}: ${lit(n.message)} (by ${lit(n.by)})`), true)],
    });
  }

  // 6. Objectives, with where the recovery time went.
  sections.push({ id: 'objectives', title: h('objectives'), blocks: objectivesBlocks(r, at) });

  if (trend && trend.drills > 1) {
    const rows = (sys: ScenarioHistory['systems'][number]) => sys.drills.map((x) => [
      x.drillId === r.drillId ? `**${code(x.drillId)}**` : code(x.drillId), time(x.startedAt), x.status,
      `${d(x.rto.actualMs)} / ${d(x.rto.targetMs)}`, `**${x.rto.verdict}**`,
      x.rpo ? `${d(x.rpo.actualMs)} / ${d(x.rpo.targetMs)}` : 'no ledger', x.rpo ? `**${x.rpo.verdict}**` : '', x.rpo ? String(x.rpo.lostWrites) : '',
    ]);
    sections.push({
      id: 'trend', title: h('trend'), blocks: [
        ...trend.systems.flatMap((sys) => [text(`**${lit(sys.system)}**`), table(['Drill', 'Started', 'Status', 'RTO actual / target', 'RTO', 'RPO actual / target', 'RPO', 'Lost writes'], rows(sys), [3, 5, 7])]),
        ...(trend.breakdowns.length ? [text(`Breakdowns across the ${trend.drills} drills: ${trend.breakdowns.map((b) => `${b.code} ×${b.count}`).join(', ')}.`)] : []),
      ],
    });
  }

  sections.push({
    id: 'steps', title: h('steps'), major: true, blocks: [table(['#', 'Step', 'Kind', 'Status', 'Started', 'Actual', 'Expected', 'Overrun'], r.steps.map((s, i) => [
      String(i + 1), `${code(s.id)}${s.title ? ` ${lit(s.title)}` : ''}`, s.kind, `${s.status}${s.error ? `: ${lit(s.error.slice(0, 120))}` : ''}`,
      time(s.startedAt), d(s.durationMs), d(s.expectedMs), s.overrunMs !== null && s.overrunMs > 0 ? `+${d(s.overrunMs)}` : '',
    ]), [0, 5, 6, 7])],
  });
  const faults = record.faults ?? [];
  if (faults.length) {
    sections.push({
      id: 'faults', title: h('faults'), blocks: [
        table(['Step', 'Fault', 'Target', 'Took effect', 'Evidence', 'Healed', 'Heal check'], faults.map((f) => [
          code(f.step), f.type, code(f.target), f.effectAt !== undefined ? at(iso(f.effectAt)) : 'no effect', lit(f.evidence ?? ''),
          f.healedAt !== undefined ? at(iso(f.healedAt)) : f.healError ? `**NOT HEALED**: ${lit(f.healError)}` : UNHEALABLE.has(f.type) ? 'stays (data damage)' : '—',
          lit(f.healEvidence ?? ''),
        ])),
        ...(record.seed !== undefined ? [text(`Targets were chosen with seed ${record.seed}: \`drill run --seed ${record.seed}\` makes the same choices.`)] : []),
      ],
    });
  }
  if (r.people.length) {
    sections.push({
      id: 'people', title: h('people'), blocks: [table(['Step', 'Kind', 'Status', 'Actual', 'Expected', 'Confirmed by', 'Role', 'Note'], r.people.map((p) => {
        const flags = [p.overrun && 'overrun', p.escalated && 'escalated'].filter(Boolean).join(', ');
        const note = [p.note, p.workaround && `workaround: ${p.workaround}`].filter(Boolean).join('; ');
        return [code(p.step), p.kind, `${p.status}${flags ? ` (${flags})` : ''}`, d(p.actualMs), d(p.expectedMs), lit(p.confirmedBy ?? '—'), lit(p.role ?? ''), lit(note)];
      }), [3, 4])],
    });
  }
  if (r.decisions.length) {
    sections.push({
      id: 'decisions', title: h('decisions'), level: 3, blocks: [list(r.decisions.map((g) => (g.decidedBy
        ? `${code(g.step)} ${lit(g.decision)}: decided by ${lit(g.decidedBy)} (${lit(g.role)}) at ${at(g.decidedAt)}, ${d(g.timeToDecideMs)} after it was asked.`
        : `${code(g.step)} ${lit(g.decision)}: not decided (needs ${lit(g.role)}).`)))],
    });
  }

  // 7. Runbook breakdowns.
  sections.push({
    id: 'breakdowns', title: h('breakdowns'), blocks: [r.breakdowns.length
      ? table(['#', 'Step', 'Code', 'Cause', 'Effect', 'Time lost', 'Reported by', 'Note'], r.breakdowns.map((b, i) => [
        String(i + 1), code(b.step), b.code, lit(b.cause), b.effect, d(b.lostMs), `${lit(b.by)}${b.source === 'verification' ? ' (contradicted by the system)' : ''}`, lit(b.note),
      ]), [0, 5])
      : text('None recorded.')],
  });

  // 8. Causes, split the regulator's way, each with its measures; 9. the revisions they propose.
  const proposals = proposeRevisions(r);
  const grew = [
    ...r.breakdowns.filter((b) => b.effect === 'enlarged').map((b) => `${code(b.step)} ${lit(b.cause)}: ${lit(b.note)}`),
    ...r.objectives.filter((o) => o.rpo.lostWrites > 0).map((o) => `${lit(o.system)}: ${o.rpo.lostWrites} acknowledged writes lost (RPO ${d(o.rpo.actualMs)})`),
    ...r.objectives.filter((o) => o.rlo.met === false).map((o) => `${lit(o.system)}: service restored to ${percent(o.rlo.actualShare)} against its RLO of ${lit(o.rlo.target)}`),
  ];
  const long = [
    ...r.breakdowns.filter((b) => b.effect === 'prolonged').map((b) => `${code(b.step)} ${lit(b.cause)}: ${lit(b.note)} (${d(b.lostMs)} lost)`),
    ...r.steps.filter((s) => s.overrunMs !== null && s.overrunMs > 0).map((s) => `${code(s.id)} took ${d(s.durationMs)}, ${d(s.overrunMs)} over its expected ${d(s.expectedMs)}`),
    ...r.objectives.filter((o) => o.rto.met === false).map((o) => `${lit(o.system)}: RTO ${o.rto.actualMs === null ? lit(o.rto.reason ?? 'not restored') : `${d(o.rto.actualMs)} against ${d(o.rto.targetMs)}`}${o.rto.consumedBy[0] ? `, most of it in ${code(o.rto.consumedBy[0].step)}` : ''}`),
  ];
  sections.push({
    id: 'causes', title: h('causes'), blocks: [
      text('**Why the impact grew**'), grew.length ? list(grew) : text('Nothing recorded.'),
      text('**Why the recovery took long**'), long.length ? list(long) : text('Nothing recorded.'),
      ...(proposals.followUps.length ? [table(['Measure', 'Interim', 'Permanent', 'Owner', 'Due', 'Status'], proposals.followUps.map((f) => [
        `${code(f.id)} ${lit(f.finding)}`, lit(f.interim ?? '—'),
        f.step ? `revise the runbook of ${code(f.step)}` : `bring ${lit(f.objective ?? '')} within its objective`, lit(f.owner), f.due, 'proposed',
      ]))] : []),
    ],
  });
  const revisions = [
    ...proposals.durations.map((p) => `${code(p.step)}: expected ${d(p.beforeMs)} → ${p.after} (measured ${d(p.measuredMs)})`),
    ...proposals.stepFindings.map((f) => `${code(f.step)}: record the finding ${f.code} (${f.effect}): ${lit(f.note)}`),
    ...proposals.objectiveFindings.map((f) => `${lit(f.system)}: ${lit(f.note)}`),
    ...proposals.followUps.map((f) => `follow-up ${code(f.id)}, owner ${lit(f.owner)}, due ${f.due}: checked by the next drill`),
  ];
  sections.push({
    id: 'revisions', title: h('revisions'), blocks: revisions.length
      ? [list(revisions), text(`Apply them with ${code(`drill revise ${spec.scenarioFile ?? 'SCENARIO'} --from ${r.drillId}/report.json`)}.`)]
      : [text('None: the plan held as written.')],
  });
  if (r.followUps.length) {
    sections.push({
      id: 'follow-ups', title: h('followUps'), blocks: [table(['Follow-up', 'From drill', 'Owner', 'Due', 'Verdict', 'Evidence'], r.followUps.map((f) => [
        `${code(f.id)} ${lit(f.finding)}`, lit(f.from), lit(f.owner), f.due, `**${f.verdict}**`, lit(f.evidence),
      ]))],
    });
  }

  if (record.cleanup) {
    const c = record.cleanup;
    sections.push({ id: 'cleanup', title: h('cleanup'), blocks: [text(c.error ? `Cleanup FAILED: ${lit(c.error)}` : `Removed ${c.containers} containers, ${c.networks} networks and ${c.volumes} volumes labelled ${code(`drill.run=${r.drillId}`)}.`)] });
  }
  sections.push({ id: 'measurement', title: h('measurement'), blocks: [list(r.measurement.map(lit))] });

  return {
    title: `${h('report')}: ${r.scenario}`,
    summary: [
      ['Drill', code(r.drillId)], ['Status', `${r.status}${r.failure ? ` — ${lit(r.failure)}` : ''}`], ['Started', time(r.startedAt)],
      ['Ended', `${time(r.endedAt)} (${d(r.durationMs)})`], ['Disaster (t0)', time(r.t0)],
      ['Sites (networks)', spec.topology.networks.map(lit).join(', ') || '—'],
    ],
    ...(spec.description && { description: lit(spec.description.trim()) }),
    sections,
  };
}
