// An exercise's part of the report: how long the team took to notice and to declare, counted from t0
// with the facilitator's pauses left out, what the facilitator injected, and the reveal.
import { pausedWithin } from '../model/exercise.js';
import { reveal, type Reveal } from '../model/exercise-view.js';
import type { DrillRecord } from '../model/record.js';
import { iso } from './time.js';

export type ExerciseReport = {
  exerciseId: string;
  facilitator: string;
  windowMs: number;
  /** the first failed sample of any availability probe at or after t0: when the monitoring could have told */
  firstSymptomAt: string | null;
  timeToSymptomMs: number | null;
  detectedAt: string | null; detectedBy: string | null; timeToDetectMs: number | null;
  declaredAt: string | null; declaredBy: string | null; timeToDeclareMs: number | null;
  pausedMs: number;
  pauses: { at: string; until: string | null; reason?: string }[];
  injects: { at: string; detail: string; note?: string }[];
  unavailable: string[];
  reveal: Reveal;
};

export function exerciseReport(record: DrillRecord): ExerciseReport | undefined {
  const ex = record.exercise;
  if (!ex) return undefined;
  const t0 = record.t0;
  // The exercise's clock stops while the facilitator holds it.
  const since = (at: number | undefined) => (at === undefined || t0 === null ? null : at - t0 - (at > t0 ? pausedWithin(ex.pauses, t0, at) : 0));
  const firstSymptom = t0 === null ? undefined : Object.entries(record.spec.probes)
    .filter(([, p]) => p.kind === 'availability')
    .flatMap(([name]) => (record.availability[name] ?? []).filter((r) => !r.ok && r.lastAt >= t0).map((r) => Math.max(r.firstAt, t0)))
    .sort((a, b) => a - b)[0];
  return {
    exerciseId: ex.exerciseId, facilitator: ex.facilitator, windowMs: ex.windowMs,
    firstSymptomAt: iso(firstSymptom), timeToSymptomMs: since(firstSymptom),
    detectedAt: iso(ex.detected?.at), detectedBy: ex.detected?.by ?? null, timeToDetectMs: since(ex.detected?.at),
    declaredAt: iso(ex.declared?.at), declaredBy: ex.declared?.by ?? null, timeToDeclareMs: since(ex.declared?.at),
    // A pause still open when the record was taken counts up to the drill's end, if it has one.
    pausedMs: ex.pauses.reduce((ms, p) => ms + Math.max(0, (p.until ?? record.endedAt ?? p.at) - p.at), 0),
    pauses: ex.pauses.map((p) => ({ at: iso(p.at)!, until: iso(p.until), ...(p.reason !== undefined && { reason: p.reason }) })),
    injects: ex.injects.map((i) => ({ at: iso(i.at)!, detail: i.detail, ...(i.inject.note !== undefined && { note: i.inject.note }) })),
    unavailable: ex.unavailable,
    reveal: reveal(record, ex),
  };
}
