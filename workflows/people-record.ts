// What people's answers leave in the drill's record: confirmations, decisions and notifications with
// who gave them, breakdowns with their cause codes and the time they cost, and a waiting step's
// overrun and escalation timers.
import type { StepResult } from '../model/record.js';
import type { PeopleStepSpec } from '../model/spec.js';
import { formatDuration } from '../model/duration.js';
import type { DrillContext } from './context.js';
import type { BreakdownReport } from './messages.js';

export function recordBreakdown(drill: DrillContext, step: string, b: Omit<BreakdownReport, 'step'>, source: 'participant' | 'verification') {
  drill.record.breakdowns.push({ step, code: b.code, note: b.note, effect: b.effect, by: b.by, reportedAt: Date.now(), source });
  drill.event('breakdown', `${b.code} (${b.effect}) by ${b.by}: ${b.note}`, step);
}

export function closeBreakdowns(drill: DrillContext, stepId: string) {
  const now = Date.now();
  for (const b of drill.record.breakdowns) {
    if (b.step === stepId && b.resolvedAt === undefined) {
      b.resolvedAt = now;
      b.lostMs = now - b.reportedAt;
    }
  }
}

export function confirmed(drill: DrillContext, step: PeopleStepSpec, r: StepResult, by: string, extra: { role?: string; note?: string; workaround?: string }) {
  Object.assign(r, { confirmedBy: by, confirmedAt: Date.now() }, extra);
  if (step.kind === 'notify') {
    drill.record.notifications.push({ step: step.id, audience: step.audience, to: step.to, message: step.message, at: Date.now(), by });
    drill.event('notification', `${step.audience} → ${step.to}: ${step.message} (by ${by})`, step.id);
  } else if (step.kind === 'gate') {
    drill.event('decision', `${step.decision}: decided by ${by} as ${extra.role}${extra.note ? ` (${extra.note})` : ''}`, step.id);
  } else {
    drill.event('manual.confirmed', `confirmed by ${by}${extra.workaround ? `, with a workaround: ${extra.workaround}` : ''}${extra.note ? ` (${extra.note})` : ''}`, step.id);
  }
}

/** Timers of a waiting step: overrun at its expected duration, escalation at its limit. */
export function timersFor(drill: DrillContext, step: PeopleStepSpec, r: StepResult, since: number) {
  const timers: { at: number; fire(): Promise<void> }[] = [];
  if (step.expectedMs !== undefined) {
    timers.push({ at: since + step.expectedMs, fire: async () => {
      r.overrun = true;
      drill.event('step.overrun', `past its expected ${formatDuration(step.expectedMs)}`, step.id);
    } });
  }
  if (step.escalateAfterMs !== undefined) {
    timers.push({ at: since + step.escalateAfterMs, fire: async () => {
      r.escalated = true;
      const message = `step "${step.id}" has waited ${formatDuration(step.escalateAfterMs)} (expected ${formatDuration(step.expectedMs)})`;
      drill.event('step.escalated', message, step.id);
      await drill.notify('escalation', message);
    } });
  }
  return timers.sort((a, b) => a.at - b.at);
}

