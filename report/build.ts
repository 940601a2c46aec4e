// DrillRecord → report.json: objectives target vs actual, the steps, and how each figure was measured.
import type { DrillRecord, StepResult } from '../model/record.js';
import { formatDuration } from '../model/duration.js';
import { iso } from './time.js';
import {
  breakdowns, decisions, notifications, peopleSteps,
  type BreakdownReport, type DecisionReport, type NotificationReport, type PeopleStepReport,
} from './people.js';
import { ledgerOf, objectiveResults, sparseWindows, type ObjectiveResult } from './objectives.js';
import { checkFollowUps, type FollowUpResult } from './followups.js';
import { exerciseReport, type ExerciseReport } from './exercise.js';

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

/**
 * The record as reports carry it: containers' env values (passwords, tokens) withheld, their names kept
 * so a reader still sees what was set. report.json embeds the record, and results are shared widely.
 */
function withheldEnv(record: DrillRecord): DrillRecord {
  const containers = Object.fromEntries(Object.entries(record.spec.topology.containers).map(([name, c]) => [name, {
    ...c, env: Object.fromEntries(Object.keys(c.env ?? {}).map((k) => [k, ENV_WITHHELD])),
  }]));
  return { ...record, spec: { ...record.spec, topology: { ...record.spec.topology, containers } } };
}
const ENV_WITHHELD = '(withheld from reports)';

export function buildReport(recorded: DrillRecord): Report {
  // Records from before people took part in drills carry no breakdowns or notifications.
  const record: DrillRecord = { ...withheldEnv(recorded), breakdowns: recorded.breakdowns ?? [], notifications: recorded.notifications ?? [] };
  const { spec, t0 } = record;
  const objectives = objectiveResults(record);
  const measurement = [
    't0 is the instant the fault step observed its effect on the target (reported by the activity that injected it): the step marked t0: true, or else the first fault to take effect.',
    'RTO to service runs from t0 to the first sample of the sustained healthy run; RTO to data, from t0 to the first ledger read-back that held every acknowledged write sent before t0 that was kept for good (a write missing at every later read-back is lost, and counts against the RPO instead), or to the end of the objective\'s data check step when it declares one. The RTO is judged on the later of the two, and on RTO to service alone when nothing showed the data back.',
    'An objective is not measured when the drill never showed it: no t0; a drill that ended before the service was seen restored and before the RTO ran out (a service still down when its RTO ran out is a miss, whenever the drill ended); in a drill cut short (aborted or failed), no outage seen before the RTO ran out; an RPO without a ledger read-back after t0. A figure not measured is neither met nor missed, and proposes no follow-up.',
    'RLO: the share of availability samples healthy from the service\'s restoration until probing ended (or another objective\'s planned disruption began) and, for an objective with a ledger, the share of writes sent in that time that were acknowledged, counted from the first one acknowledged (read-write, not read-only; none acknowledged is read-only); the level is the lower of the two, judged against the declared percentage to a tenth of a percent.',
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

/**
 * Exit status of `drill run`: 0 completed and every objective met; 1 an objective missed; 3 aborted or
 * failed; 5 completed, none missed, but one was not measured (CI must not read that as met, nor as missed).
 */
export function exitCodeOf(report: Report): 0 | 1 | 3 | 5 {
  if (report.status !== 'completed') return 3;
  const measures = report.objectives.flatMap((o) => {
    // An objective without a ledger has no RPO to measure: that is the plan, not a gap in the drill.
    const ledger = ledgerOf(report.record, o.system) !== undefined;
    return [o.rto.met, ...(ledger ? [o.rpo.met] : []), o.rlo?.met ?? null];
  });
  if (measures.includes(false)) return 1;
  return measures.includes(null) ? 5 : 0;
}
