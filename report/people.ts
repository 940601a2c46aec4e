// The people's part of a drill, from its record: manual steps (expected vs actual, who confirmed),
// decisions and the time they took, breakdowns with the time they cost, the notification timeline,
// and the RTO split into phases (detect, decide, recover, verify). Pure functions.
import { BREAKDOWN_CODES } from '../model/breakdown.js';
import type { DrillRecord, StepResult } from '../model/record.js';
import { isPeopleStep, type RtoPhase, type StepSpec } from '../model/spec.js';
import { iso } from './time.js';


export type PeopleStepReport = {
  step: string; kind: 'manual' | 'gate' | 'notify'; status: string;
  expectedMs: number | null; actualMs: number | null;
  confirmedBy: string | null; role: string | null; confirmedAt: string | null;
  note?: string; workaround?: string; overrun: boolean; escalated: boolean;
};
export type DecisionReport = { step: string; decision: string; role: string; decidedBy: string | null; decidedAt: string | null;
  /** from the gate starting to wait until the decision was taken */
  timeToDecideMs: number | null; afterT0Ms: number | null };
export type BreakdownReport = { step: string; code: string; cause: string; effect: string; note: string; by: string; source: string;
  reportedAt: string; resolvedAt: string | null; lostMs: number | null };
export type NotificationReport = { step: string; audience: string; to: string; message: string; by: string; at: string; afterT0Ms: number | null };
export type PhaseSplit = Record<RtoPhase, number> & { between: number };

export function peopleSteps(record: DrillRecord): PeopleStepReport[] {
  const results = new Map(record.steps.map((r) => [r.id, r]));
  return record.spec.steps.filter(isPeopleStep).map((s) => {
    const r = results.get(s.id);
    return {
      step: s.id, kind: s.kind, status: r?.status ?? 'pending',
      expectedMs: s.expectedMs ?? null, actualMs: r?.durationMs ?? null,
      confirmedBy: r?.confirmedBy ?? null, role: r?.role ?? null, confirmedAt: iso(r?.confirmedAt),
      ...(r?.note !== undefined && { note: r.note }), ...(r?.workaround !== undefined && { workaround: r.workaround }),
      overrun: r?.overrun ?? (s.expectedMs !== undefined && r?.durationMs !== undefined && r.durationMs > s.expectedMs),
      escalated: r?.escalated ?? false,
    };
  });
}

export function decisions(record: DrillRecord): DecisionReport[] {
  const results = new Map(record.steps.map((r) => [r.id, r]));
  return record.spec.steps.flatMap((s) => {
    if (s.kind !== 'gate') return [];
    const r = results.get(s.id);
    const decided = r?.status === 'completed' && r.confirmedAt !== undefined;
    return [{
      step: s.id, decision: s.decision, role: s.role,
      decidedBy: decided ? r.confirmedBy ?? null : null, decidedAt: decided ? iso(r.confirmedAt) : null,
      timeToDecideMs: decided && r.startedAt !== undefined ? r.confirmedAt! - r.startedAt : null,
      afterT0Ms: decided && record.t0 !== null ? r.confirmedAt! - record.t0 : null,
    }];
  });
}

export function breakdowns(record: DrillRecord): BreakdownReport[] {
  return record.breakdowns.map((b) => ({
    step: b.step, code: b.code, cause: BREAKDOWN_CODES[b.code] ?? b.code, effect: b.effect, note: b.note, by: b.by, source: b.source,
    reportedAt: iso(b.reportedAt)!, resolvedAt: iso(b.resolvedAt), lostMs: b.lostMs ?? null,
  }));
}

export function notifications(record: DrillRecord): NotificationReport[] {
  return [...record.notifications].sort((a, b) => a.at - b.at).map((n) => ({
    step: n.step, audience: n.audience, to: n.to, message: n.message, by: n.by, at: iso(n.at)!,
    afterT0Ms: record.t0 !== null ? n.at - record.t0 : null,
  }));
}

/**
 * The phase a step's time counts toward. Declared `phase` wins; otherwise a gate decides, a wait for a
 * probe to go down detects, a verify step verifies, and the rest (DR actions, manual work) recovers.
 */
export function phaseOf(s: StepSpec): RtoPhase | null {
  if (s.phase) return s.phase;
  if (s.kind === 'fault') return null; // the disaster itself, not the response to it
  if (s.kind === 'gate') return 'decide';
  if (s.kind === 'verify') return 'verify';
  if (s.kind === 'wait' && s.until === 'down' && s.probe !== undefined) return 'detect';
  return 'recover';
}

/** The outage window [from, to] split into phases by the steps that ran inside it; `between` is time no step held. */
export function phaseSplit(spec: StepSpec[], steps: StepResult[], from: number, to: number): PhaseSplit {
  const split: PhaseSplit = { detect: 0, decide: 0, recover: 0, verify: 0, between: 0 };
  const phases = new Map(spec.map((s) => [s.id, phaseOf(s)]));
  // Steps run in order, so clipped intervals do not overlap; what they leave uncovered is `between`.
  let covered = 0;
  for (const r of steps) {
    if (r.startedAt === undefined || r.endedAt === undefined) continue;
    const ms = Math.max(0, Math.min(r.endedAt, to) - Math.max(r.startedAt, from));
    const phase = phases.get(r.id);
    if (ms === 0 || !phase) continue;
    split[phase] += ms;
    covered += ms;
  }
  split.between = Math.max(0, to - from - covered);
  return split;
}
