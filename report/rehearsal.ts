// Whose time a people step's duration is. A person's answer measures the runbook; the unattended
// operator (--operator auto) or an operator script (--operator script:FILE) answering in people's
// place measures automation, or a rehearsal's pace: those timings are reported, never made the plan.
import { isPeopleKind, type DrillSpec } from '../model/spec.js';
import type { StepResult } from '../model/record.js';

/** Who answered a people step in people's place, or null when a person did (or the step is no people step). */
export function standIn(spec: Pick<DrillSpec, 'operatorScript'>, step: Pick<StepResult, 'kind' | 'confirmedBy'>): string | null {
  if (!isPeopleKind(step.kind) || step.confirmedBy === undefined) return null;
  if (step.confirmedBy === 'auto') return 'the unattended operator';
  if (spec.operatorScript !== undefined) return `operator script ${spec.operatorScript}`;
  return null;
}

/** A people step's time measured with no person answering: shown, kept out of the plan. */
export type AutomationTiming = { step: string; measuredMs: number; by: string; expectedMs?: number };

export function automationTimings(spec: Pick<DrillSpec, 'operatorScript'>, steps: Pick<StepResult, 'id' | 'kind' | 'status' | 'confirmedBy' | 'durationMs' | 'expectedMs'>[]): AutomationTiming[] {
  return steps.flatMap((s) => {
    const by = standIn(spec, s);
    if (by === null || s.status !== 'completed' || s.durationMs === undefined) return [];
    return [{ step: s.id, measuredMs: s.durationMs, by, ...(s.expectedMs !== undefined && { expectedMs: s.expectedMs }) }];
  });
}
