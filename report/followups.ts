// The annual cycle closes here: each open follow-up an earlier drill carried into the plan is checked
// against what this drill observed. Pure.
//  - a follow-up on a step: still failing when the same breakdown recurred there (or the step failed),
//    verified fixed when the step completed without it, not exercised when the step did not run;
//  - a follow-up on an objective: verified fixed when it was met, still failing when missed.
import type { DrillRecord } from '../model/record.js';
import type { FollowUpSpec } from '../model/spec.js';
import type { ObjectiveResult } from './objectives.js';

export type FollowUpVerdict = 'verified fixed' | 'still failing' | 'not exercised';
export type FollowUpResult = FollowUpSpec & { verdict: FollowUpVerdict; evidence: string };

export function checkFollowUps(record: DrillRecord, objectives: ObjectiveResult[]): FollowUpResult[] {
  return (record.spec.followUps ?? []).map((f): FollowUpResult => {
    if (f.step !== undefined) {
      const step = record.steps.find((s) => s.id === f.step);
      if (!step || step.status === 'pending' || step.status === 'skipped' || step.status === 'aborted') {
        return { ...f, verdict: 'not exercised', evidence: step ? `step ${f.step} ${step.status}` : `no step ${f.step} in this drill` };
      }
      const again = record.breakdowns.filter((b) => b.step === f.step && (f.code === undefined || b.code === f.code));
      if (again.length) return { ...f, verdict: 'still failing', evidence: `${again[0]!.code} again at ${f.step}: ${again[0]!.note}` };
      if (step.status === 'failed') return { ...f, verdict: 'still failing', evidence: `step ${f.step} failed: ${step.error ?? ''}`.trim() };
      if (step.status !== 'completed') return { ...f, verdict: 'not exercised', evidence: `step ${f.step} ${step.status}` };
      // The unattended operator reports no breakdowns: its run says nothing of whether people would hit it again.
      if (step.confirmedBy === 'auto') return { ...f, verdict: 'not exercised', evidence: `step ${f.step} was done by the unattended operator` };
      const by = step.confirmedBy ? ` by ${step.confirmedBy}` : '';
      return { ...f, verdict: 'verified fixed', evidence: `step ${f.step} completed${by}${f.code ? ` without ${f.code}` : ''}` };
    }
    if (f.objective !== undefined) {
      const o = objectives.find((x) => x.system === f.objective);
      const measures = f.measure ? [f.measure] : (['rto', 'rpo'] as const);
      const results = measures.map((m) => ({ m, met: o?.[m].met ?? null }));
      const evidence = results.map((x) => `${x.m.toUpperCase()} ${x.met === null ? 'not measured' : x.met ? 'met' : 'missed'}`).join(', ');
      if (!o || results.some((x) => x.met === null && (f.measure !== undefined || x.m === 'rto'))) return { ...f, verdict: 'not exercised', evidence: o ? evidence : `no objective ${f.objective} in this drill` };
      return { ...f, verdict: results.every((x) => x.met !== false) ? 'verified fixed' : 'still failing', evidence };
    }
    return { ...f, verdict: 'not exercised', evidence: 'names no step or objective to check' };
  });
}
