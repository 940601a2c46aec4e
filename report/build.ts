// DrillRecord → report.json: objectives target vs actual, the steps, and how each figure was measured.
import type { DrillRecord, LedgerReadback, LedgerWrite, StepResult } from '../model/record.js';
import { formatDuration } from '../model/duration.js';
import { iso } from './time.js';
import { measureRpo, measureRto, presentSet, sampleGaps, type RpoMeasure, type RtoMeasure } from '../model/measure.js';
import {
  breakdowns, decisions, notifications, peopleSteps, phaseSplit,
  type BreakdownReport, type DecisionReport, type NotificationReport, type PeopleStepReport, type PhaseSplit,
} from './people.js';
import { checkFollowUps, type FollowUpResult } from './followups.js';
import { exerciseReport, type ExerciseReport } from './exercise.js';

export type ObjectiveResult = {
  system: string;
  rlo: string;
  /** a planned disruption measured from this step's start instead of t0 (e.g. the failback) */
  from?: string;
  rto: { targetMs: number; actualMs: number | null; met: boolean | null; detectedAt: string | null; restoredAt: string | null; resolutionMs: number | null;
    /** the steps that ran inside the outage window, largest share first: where the RTO went */
    consumedBy: { step: string; ms: number }[];
    /** the same window by phase: detect, decide, recover, verify (and time between steps) */
    phases: PhaseSplit | null };
  rpo: { targetMs: number; actualMs: number | null; met: boolean | null; acknowledgedWrites: number; lostWrites: number;
    unacknowledgedPresent: number; holes: number; newestSurvivorAckAt: string | null };
  note?: string;
};

export type Report = {
  drillId: string;
  scenario: string;
  status: DrillRecord['status'];
  failure?: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  t0: string | null;
  objectives: ObjectiveResult[];
  steps: (Omit<StepResult, 'startedAt' | 'endedAt' | 'effectAt'> & { startedAt: string | null; endedAt: string | null; effectAt?: string; overrunMs: number | null })[];
  /** manual steps, gates and notifications: expected vs actual, who confirmed */
  people: PeopleStepReport[];
  decisions: DecisionReport[];
  breakdowns: BreakdownReport[];
  notifications: NotificationReport[];
  /** earlier drills' open follow-ups, as this drill found them */
  followUps: FollowUpResult[];
  /** a scenario-undisclosed exercise: time to detect and to declare, injects, the reveal */
  exercise?: ExerciseReport;
  measurement: string[];
  record: DrillRecord;
};


/** Time each step spent inside [from, to]: the attribution of an outage to the steps that consumed it. */
export function consumedBy(steps: StepResult[], from: number, to: number): { step: string; ms: number }[] {
  return steps
    .filter((s) => s.startedAt !== undefined && s.endedAt !== undefined)
    .map((s) => ({ step: s.id, ms: Math.max(0, Math.min(s.endedAt!, to) - Math.max(s.startedAt!, from)) }))
    .filter((x) => x.ms > 0)
    .sort((a, b) => b.ms - a.ms);
}

const PROBE_BURST_SLACK_MS = 5000;

/** Stretches where probes sampled in bursts because people kept the drill waiting (from the timeline). */
export function sparseWindows(record: DrillRecord): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let from: number | null = null;
  for (const e of record.timeline) {
    if (e.type === 'probes.sparse') from = e.at;
    else if (e.type === 'probes.dense' && from !== null) { out.push({ from, to: e.at }); from = null; }
  }
  if (from !== null) out.push({ from, to: record.endedAt ?? Number.MAX_SAFE_INTEGER });
  return out;
}

/**
 * What an objective's RPO is judged on: the first read-back after its disruption began, and only the
 * writes sent before it and not already lost earlier (present at the read-back before, or written
 * since): a write the failover lost is the failover's, not the failback's.
 */
export function ledgerWindow(ledger: DrillRecord['ledger'][string], start: number): { writes: LedgerWrite[]; readback: LedgerReadback } | null {
  const all = [...(ledger.checkpoints ?? []), ...(ledger.readback ? [ledger.readback] : [])];
  const readback = all.find((rb) => rb.at >= start);
  if (!readback) return null;
  const baseline = all.filter((rb) => rb.at < start).pop();
  const before = baseline ? presentSet(baseline) : () => true;
  // Writes sent after the read-back are for a later one to judge.
  return { writes: ledger.writes.filter(([seq, sentAt]) => sentAt < readback.at && (baseline === undefined || sentAt >= baseline.at || before(seq))), readback };
}

export function buildReport(recorded: DrillRecord): Report {
  // Records from before people took part in drills carry no breakdowns or notifications.
  const record: DrillRecord = { ...recorded, breakdowns: recorded.breakdowns ?? [], notifications: recorded.notifications ?? [] };
  const { spec, t0 } = record;
  const objectives = spec.objectives.map((o): ObjectiveResult => {
    const avail = spec.probes[o.availability];
    const runs = record.availability[o.availability] ?? [];
    let rto: RtoMeasure | null = null;
    let rpo: RpoMeasure | null = null;
    const notes: string[] = [];
    // The disruption this objective is measured from: the fault's t0, or the start of a planned one.
    const fromStep = o.from === undefined ? undefined : record.steps.find((st) => st.id === o.from);
    const start = o.from === undefined ? t0 : fromStep?.startedAt ?? null;
    if (start === null) notes.push(o.from === undefined ? 'no fault took effect, so there was no outage to measure' : `step ${o.from} never ran, so there was nothing to measure from`);
    else if (avail?.kind === 'availability') rto = measureRto(runs, start, avail.sustainMs, avail.intervalMs);
    if (avail?.kind === 'availability') {
      const sparse = sparseWindows(record);
      for (const g of sampleGaps(runs, avail.intervalMs, avail.timeoutMs).filter((x) => !sparse.some((w) => x.from >= w.from - 1000 && x.to <= w.to + PROBE_BURST_SLACK_MS))) {
        notes.push(`${o.availability} has no samples from ${iso(g.from)} to ${iso(g.to)} (${formatDuration(g.to - g.from)}; the orchestrator was not sampling)`);
      }
    }
    const ledger = o.ledger ? record.ledger[o.ledger] : undefined;
    if (o.ledger && start !== null) {
      const window = ledger ? ledgerWindow(ledger, start) : null;
      if (window) rpo = measureRpo(window.writes, window.readback, start);
      else notes.push(`ledger ${o.ledger} was never read back after ${o.from === undefined ? 't0' : `step ${o.from} started`} (no verify step reached it)`);
    }
    const restored = rto?.restoredAt != null && start !== null;
    // Service that came back while probes sampled in bursts was seen back only at the next burst.
    const burstMs = spec.sparseSampling?.everyMs ?? 600_000;
    const sparseRestore = restored && sparseWindows(record).some((w) => rto!.restoredAt! >= w.from && rto!.restoredAt! <= w.to + PROBE_BURST_SLACK_MS);
    if (sparseRestore) notes.push(`service came back while probes sampled in bursts: the RTO is known to within ${formatDuration(burstMs)}, not the probe interval`);
    const window = restored ? consumedBy(record.steps, start, rto!.restoredAt!) : [];
    return {
      system: o.system, rlo: o.rlo, ...(o.from !== undefined && { from: o.from }),
      rto: {
        targetMs: o.rtoMs, actualMs: rto?.actualMs ?? null,
        met: rto === null ? null : rto.actualMs !== null && rto.actualMs <= o.rtoMs,
        detectedAt: iso(rto?.detectedAt), restoredAt: iso(rto?.restoredAt), resolutionMs: sparseRestore ? Math.max(burstMs, rto?.resolutionMs ?? 0) : rto?.resolutionMs ?? null,
        consumedBy: window,
        phases: restored ? phaseSplit(spec.steps, record.steps, start, rto!.restoredAt!) : null,
      },
      rpo: {
        targetMs: o.rpoMs, actualMs: rpo?.actualMs ?? null, met: rpo === null ? null : rpo.actualMs <= o.rpoMs,
        acknowledgedWrites: rpo?.acknowledgedWrites ?? 0, lostWrites: rpo?.lostWrites ?? 0,
        unacknowledgedPresent: rpo?.unacknowledgedPresent ?? 0, holes: rpo?.holes ?? 0, newestSurvivorAckAt: iso(rpo?.newestSurvivorAckAt),
      },
      ...(notes.length > 0 && { note: notes.join('; ') }),
    };
  });
  const measurement = [
    't0 is the instant the fault step observed its effect on the target (reported by the activity that injected it).',
    ...spec.objectives.filter((o) => o.from !== undefined).map((o) => `${o.system}: measured from the start of step ${o.from} (a planned disruption) instead of t0; its RPO counts the acknowledged writes that were present at the last read-back before that step, or written since, and are missing at the first read-back after it.`),
    ...Object.entries(spec.probes).map(([name, p]) => p.kind === 'availability'
      ? `${name}: availability sampled every ${p.intervalMs}ms at ${p.target.container}:${p.target.port} (${p.target.protocol}) as clients reach it; restored = first sample of a healthy run lasting ${p.sustainMs}ms; RTO resolution ±${p.intervalMs}ms.`
      : `${name}: write ledger, one sequence-numbered write every ${p.intervalMs}ms through ${p.target.container}:${p.target.port}, each with its acknowledgement time; after recovery every number was read back. Lost = acknowledged and missing; RPO = t0 − acknowledgement of the newest surviving write, when a later acknowledged write was lost; resolution ±${p.intervalMs}ms.`),
    ...sparseWindows(record).map((w) => `From ${iso(w.from)} to ${iso(w.to)} people kept the drill waiting, so probes sampled in ${formatDuration(2000)} bursts (see the timeline's probes.sparse event for the period); availability and RTO resolution there is that period, not the probe interval.`),
    ...(record.breakdowns.length > 0 ? ['Time lost to a breakdown runs from its report until its step was resolved (confirmed, or skipped).'] : []),
    ...(spec.steps.some((st) => st.kind === 'gate') ? ['Time to decide runs from the gate starting to wait until the decision arrived.'] : []),
    ...(record.exercise ? ['Exercise: time to detect runs from t0 to the first participant reporting something wrong (or declaring), time to declare from t0 to the declaration, both without the time the facilitator held the exercise paused; the first symptom is the first failed availability sample at or after t0.'] : []),
    'RTO phases split the outage window by the steps inside it: gates decide, waits for a probe to go down detect, verify steps verify, other steps recover, unless a step declares its phase.',
  ];
  return {
    drillId: record.drillId, scenario: spec.scenario, status: record.status,
    ...(record.failure !== undefined && { failure: record.failure }),
    startedAt: iso(record.startedAt)!, endedAt: iso(record.endedAt),
    durationMs: record.endedAt !== undefined ? record.endedAt - record.startedAt : null,
    t0: iso(t0), objectives,
    steps: record.steps.map(({ effectAt, ...s }) => ({
      ...s, startedAt: iso(s.startedAt), endedAt: iso(s.endedAt),
      ...(effectAt !== undefined && { effectAt: iso(effectAt)! }),
      overrunMs: s.expectedMs !== undefined && s.durationMs !== undefined ? s.durationMs - s.expectedMs : null,
    })),
    followUps: checkFollowUps(record, objectives),
    ...(record.exercise && { exercise: exerciseReport(record) }),
    people: peopleSteps(record), decisions: decisions(record), breakdowns: breakdowns(record), notifications: notifications(record),
    measurement, record,
  };
}

/** Exit status of `drill run`: 0 met, 1 an objective missed (or unmeasured), 3 aborted or failed. */
export function exitCodeOf(report: Report): 0 | 1 | 3 {
  if (report.status !== 'completed') return 3;
  const missed = report.objectives.some((o) => o.rto.met !== true || (o.rpo.met === false) || (o.rpo.met === null && report.record.spec.objectives.find((x) => x.system === o.system)?.ledger));
  return missed ? 1 : 0;
}
