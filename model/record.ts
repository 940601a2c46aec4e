// DrillRecord: everything a drill observed, the single source every report is rendered from.
// Times are epoch milliseconds taken by the activity that observed them (t0 included).
import type { DrillSpec } from './spec.js';
import type { BreakdownCode, BreakdownEffect } from './breakdown.js';
import type { FaultSpec, FaultType } from './fault.js';
import type { ExerciseRecord } from './exercise-types.js';
import type { TimelineEvent } from './timeline.js';

export type StepStatus = 'pending' | 'running' | 'waiting' | 'completed' | 'failed' | 'skipped' | 'aborted';

export type StepResult = {
  id: string;
  kind: string;
  title?: string;
  status: StepStatus;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  expectedMs?: number;
  /** the instant the step's effect was observed (a fault's is t0) */
  effectAt?: number;
  output?: string;
  /** an SSH step's standard error and exit code (output is its standard output) */
  stderr?: string;
  exitCode?: number;
  error?: string;
  /** people's part: who confirmed (or decided, or notified), in which role, with what note */
  confirmedBy?: string;
  role?: string;
  confirmedAt?: number;
  note?: string;
  /** what the participant did instead of the runbook's text */
  workaround?: string;
  overrun?: boolean;
  escalated?: boolean;
};

/**
 * The people step a drill is waiting on now, as the drill's status shows it; an exercise's participants
 * see it without `expectedMs` (model/exercise-view.ts).
 */
export type WaitingStep = { id: string; kind: 'manual' | 'gate' | 'notify'; since: number; text: string; role?: string; expectedMs?: number };

export type { BreakdownEffect } from './breakdown.js';

/** Where the runbook broke down: the cause code, the step, the time it cost, and its effect. */
export type Breakdown = {
  step: string;
  code: BreakdownCode;
  note: string;
  effect: BreakdownEffect;
  by: string;
  reportedAt: number;
  /** when the step was resolved afterwards (completed or skipped): the time the breakdown cost */
  resolvedAt?: number;
  lostMs?: number;
  /** a participant reported it, or the system contradicted a confirmation */
  source: 'participant' | 'verification';
};

export type Notification = { step: string; audience: string; to: string; message: string; at: number; by: string };

/** One fault on one container: when it took effect and the proof, when it was healed and how that was checked. */
export type FaultRecord = {
  step: string;
  type: FaultType;
  target: string;
  fault: FaultSpec;
  effectAt?: number;
  evidence?: string;
  healedAt?: number;
  healEvidence?: string;
  /** the heal failed even after retries: the fault may still be in place (`drill heal` retries it) */
  healError?: string;
};

export type { TimelineEvent, TimelineEventType } from './timeline.js';

/** Consecutive probe samples with the same outcome, run-length encoded to keep the record small. */
export type SampleRun = { ok: boolean; firstAt: number; lastAt: number; count: number; error?: string };

/** One ledger write: [sequence number, sent at, acknowledged at or -1 when no acknowledgement came]. */
export type LedgerWrite = [seq: number, sentAt: number, ackAt: number];

export type LedgerReadback = { at: number; maxSeqChecked: number; present: [from: number, to: number][] };

export type DrillStatus = 'running' | 'completed' | 'failed' | 'aborted';

export type DrillRecord = {
  drillId: string;
  spec: DrillSpec;
  status: DrillStatus;
  failure?: string;
  startedAt: number;
  endedAt?: number;
  t0: number | null;
  steps: StepResult[];
  timeline: TimelineEvent[];
  availability: Record<string, SampleRun[]>;
  /** `readback` is the last read-back; `checkpoints`, those taken mid-drill before it, oldest first */
  ledger: Record<string, { writes: LedgerWrite[]; readback?: LedgerReadback; checkpoints?: LedgerReadback[] }>;
  breakdowns: Breakdown[];
  notifications: Notification[];
  /** faults from the library (absent in records from before it) */
  faults?: FaultRecord[];
  /** the seed of the drill's random choices: `drill run --seed` with it makes the same choices */
  seed?: number;
  cleanup?: { containers: number; networks: number; volumes: number; error?: string };
  /** a scenario-undisclosed exercise: detection, declaration, injects, pauses, the reveal */
  exercise?: ExerciseRecord;
};

/** Appends one sample to run-length encoded runs (mutates, for the probe's hot loop). */
export function addSample(runs: SampleRun[], ok: boolean, at: number, error?: string): void {
  const last = runs[runs.length - 1];
  if (last && last.ok === ok && (ok || last.error === error)) {
    last.lastAt = at;
    last.count++;
    return;
  }
  runs.push({ ok, firstAt: at, lastAt: at, count: 1, ...(error !== undefined && { error }) });
}

/** Joins runs from consecutive probe segments, merging where the outcome did not change. */
export function mergeRuns(into: SampleRun[], more: SampleRun[]): void {
  for (const r of more) {
    const last = into[into.length - 1];
    if (last && last.ok === r.ok && (r.ok || last.error === r.error) && r.firstAt >= last.lastAt) {
      last.lastAt = r.lastAt;
      last.count += r.count;
    } else into.push({ ...r });
  }
}
