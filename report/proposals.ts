// What a drill proposes for the plan, from its report alone: the "proposed revisions" and "causes and
// measures" of the report, and what `drill revise` writes into the scenario. Pure.
//  - expected durations become what was measured, for steps whose time is real: automated steps that
//    declare one, and people's steps people answered (the unattended operator's or a script's time
//    says nothing of people: report/rehearsal.ts);
//  - breakdowns become findings on the steps they hit, and follow-ups with an owner and a due date;
//  - a missed objective gets a finding naming the step that consumed its budget, and a follow-up; one
//    not measured (the drill never showed it) gets neither.
import { formatDuration as d } from '../model/duration.js';
import type { Report } from './build.js';
import { isPeopleKind } from '../model/spec.js';
import { standIn } from './rehearsal.js';
import { percent } from './objectives.js';

const DAY = 86_400_000;

export type DurationProposal = { step: string; beforeMs: number | null; after: string; measuredMs: number };
export type StepFinding = { step: string; code: string; effect: string; note: string; lost?: string };
export type ObjectiveFinding = { system: string; what: 'rto' | 'rpo' | 'rlo'; note: string };
export type FollowUpProposal = {
  id: string; finding: string; step?: string; code?: string; objective?: string; measure?: 'rto' | 'rpo' | 'rlo'; owner: string; due: string; from: string;
  /** what was done meanwhile (the participant's workaround), when there was one: the interim measure */
  interim?: string;
};
export type Proposals = { durations: DurationProposal[]; stepFindings: StepFinding[]; objectiveFindings: ObjectiveFinding[]; followUps: FollowUpProposal[] };

/** Measured durations are rounded the way a runbook states them. */
export function planDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.round(ms / 10) * 10)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) { const s = Math.round(ms / 1000); return s % 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s / 60}m`; }
  const m = Math.round(ms / 60_000);
  return m % 60 ? `${Math.floor(m / 60)}h${m % 60}m` : `${m / 60}h`;
}

export function proposeRevisions(report: Report, opts: { owner?: string; dueDays?: number } = {}): Proposals {
  const drill = report.drillId;
  const durations = report.steps.flatMap((s): DurationProposal[] => {
    if (s.status !== 'completed' || s.durationMs === undefined) return [];
    const people = isPeopleKind(s.kind);
    if (people && (s.confirmedBy === undefined || standIn(report.record.spec, s) !== null)) return [];
    if (!people && s.expectedMs === undefined) return []; // automation with no runbook estimate needs none
    const after = planDuration(s.durationMs);
    if (s.expectedMs !== undefined && planDuration(s.expectedMs) === after) return [];
    return [{ step: s.id, beforeMs: s.expectedMs ?? null, after, measuredMs: s.durationMs }];
  });
  const stepFindings = report.breakdowns.map((b): StepFinding => ({
    step: b.step, code: b.code, effect: b.effect, note: b.note, ...(b.lostMs !== null && b.lostMs > 0 && { lost: planDuration(b.lostMs) }),
  }));
  const objectiveFindings = report.objectives.flatMap((o): ObjectiveFinding[] => {
    const out: ObjectiveFinding[] = [];
    if (o.rto.met === false) {
      const top = o.rto.consumedBy[0];
      out.push({ system: o.system, what: 'rto', note: `RTO missed: ${o.rto.actualMs === null ? o.rto.reason ?? 'not restored' : `${d(o.rto.actualMs)} against ${d(o.rto.targetMs)}`}${top ? `; step ${top.step} consumed ${d(top.ms)} of it` : ''}` });
    }
    if (o.rpo.met === false) out.push({ system: o.system, what: 'rpo', note: `RPO missed: ${d(o.rpo.actualMs)} against ${d(o.rpo.targetMs)}, ${o.rpo.lostWrites} acknowledged writes lost` });
    if (o.rlo.met === false) out.push({ system: o.system, what: 'rlo', note: `RLO missed: service restored to ${percent(o.rlo.actualShare)} against ${o.rlo.target}` });
    return out;
  });
  const due = new Date(Date.parse(report.endedAt ?? report.startedAt) + (opts.dueDays ?? 30) * DAY).toISOString().slice(0, 10);
  const workaround = new Map(report.people.filter((p) => p.workaround).map((p) => [p.step, p.workaround!]));
  const candidates: FollowUpProposal[] = [
    ...report.breakdowns.map((b) => ({
      id: `${b.step}-${b.code}`, finding: `${b.cause}: ${b.note}`, step: b.step, code: b.code, owner: opts.owner ?? b.by, due, from: drill,
      ...(workaround.has(b.step) && { interim: workaround.get(b.step)! }),
    })),
    ...objectiveFindings.map((m) => ({ id: `${m.system}-${m.what}`, finding: m.note, objective: m.system, measure: m.what, owner: opts.owner ?? 'plan-owner', due, from: drill })),
  ];
  const followUps = candidates.filter((f, i) => candidates.findIndex((g) => g.id === f.id) === i);
  return { durations, stepFindings, objectiveFindings, followUps };
}
