// The messages a running drill answers. Participants' actions are Workflow Updates, so each gets an
// answer: accepted, or why not. Live state is a query; the facilitator's abort is a signal.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BreakdownCode } from '../model/breakdown.js';
import type { BreakdownEffect, DrillStatus, StepResult, TimelineEvent, WaitingStep } from '../model/record.js';
import type { ExerciseRecord, FacilitatorAction } from '../model/exercise.js';
import type { ParticipantView, Reveal } from '../model/exercise-view.js';

export type { WaitingStep } from '../model/record.js';

export type DrillView = {
  drillId: string;
  scenario: string;
  status: DrillStatus;
  phase: 'provisioning' | 'steps' | 'cleanup' | 'done';
  startedAt: number;
  t0: number | null;
  steps: StepResult[];
  waiting: WaitingStep | null;
  breakdowns: number;
  objectives: { system: string; rtoMs: number; rpoMs: number }[];
  lastEvents: TimelineEvent[];
  /** faults in place now (absent from drills that predate the fault library) */
  activeFaults?: { step: string; type: string; target: string; since: number | null; healError?: string }[];
};

/** `token`: in an exercise, the participant's credential (`by` must be its holder); ignored elsewhere */
export type Confirmation = { step: string; by: string; as?: string; note?: string; workaround?: string; token?: string };
export type BreakdownReport = { step: string; by: string; code: BreakdownCode; note: string; effect: BreakdownEffect; token?: string };
export type Skip = { step: string; by: string; reason: string; token?: string };
export type Decision = { gate: string; by: string; as: string; note?: string; token?: string };
/** What an accepted update answers: the step and what became of it. */
export type Ack = { step: string; status: string; detail: string };

export const statusQuery = defineQuery<DrillView>('status');
export const abortSignal = defineSignal<[reason?: string]>('abort');
/** `drill heal ID`: heal every fault in place now, whatever the drill is doing */
export const healSignal = defineSignal('heal');
export const completeStepUpdate = defineUpdate<Ack, [Confirmation]>('completeStep');
export const reportBreakdownUpdate = defineUpdate<Ack, [BreakdownReport]>('reportBreakdown');
export const skipStepUpdate = defineUpdate<Ack, [Skip]>('skipStep');
export const decideUpdate = defineUpdate<Ack, [Decision]>('decide');

// A scenario-undisclosed exercise answers only callers with a token, and each according to its holder.
/** `reveal`: what the reveal shows now, for the facilitator's eyes (also once the exercise has ended) */
export type FacilitatorView = { role: 'facilitator'; exercise: ExerciseRecord; paused: boolean; reveal: Reveal; drill: DrillView };
export type ExerciseView = FacilitatorView | ParticipantView;
export type IncidentReport = { token: string; what: 'detect' | 'declare'; note?: string };
export type FacilitatorAnswer = { detail: string; reveal?: Reveal };
export const exerciseViewQuery = defineQuery<ExerciseView, [token: string]>('exerciseView');
/** a participant: "we see something" (time to detect), "we declare the incident" (time to declare) */
export const incidentUpdate = defineUpdate<string, [IncidentReport]>('incident');
/** the facilitator: pause, resume, abort, reveal, inject; refused to any other credential */
export const facilitateUpdate = defineUpdate<FacilitatorAnswer, [{ token: string; action: FacilitatorAction }]>('facilitate');
