// Who may do what in an exercise. Roles are enforced here, not trusted from the caller: every query
// and update carries a token, and the workflow knows only the tokens' hashes.
import { tokenHash, type ExerciseRecord, type ExerciseSpec } from '../model/exercise.js';
import type { FaultPlan } from '../model/fault.js';
import type { PeopleStepSpec } from '../model/spec.js';
import type { DrillContext } from './context.js';
import type { DrillView } from './messages.js';

export type ExerciseHooks = {
  /** the drill's full live state, for the facilitator */
  view(): DrillView;
  /** injects a fault on the chosen containers; resolves once it took effect */
  injectFault(step: string, plan: FaultPlan, targets: string[], durationMs?: number): Promise<void>;
};

/** The exercise as the drill runs it: its sealed spec, its record, and whether the facilitator holds the clock. */
export type ExerciseState = { drill: DrillContext; ex: ExerciseSpec; rec: ExerciseRecord; paused: boolean };

type Holder = { role: 'facilitator' } | { role: 'participant'; name: string };

export function holder({ ex }: ExerciseState, token: string | undefined): Holder {
  if (!token) throw new Error('this drill is an exercise: give your token (--token, or DRILL_TOKEN)');
  const h = tokenHash(token);
  if (h === ex.access.facilitator) return { role: 'facilitator' };
  const name = Object.entries(ex.access.participants).find(([, x]) => x === h)?.[0];
  if (name === undefined) throw new Error('not a token of this exercise');
  return { role: 'participant', name };
}

export const unavailable = (name: string) => new Error(`${name} is unavailable for the rest of this exercise: their access was revoked`);

/** A participant who may act now: available, and the exercise not paused. */
export function participant(state: ExerciseState, token: string | undefined, what: string): string {
  const h = holder(state, token);
  const { drill, rec } = state;
  if (h.role !== 'participant') throw new Error(`the facilitator observes: ${what} is for participants`);
  if (rec.unavailable.includes(h.name)) throw unavailable(h.name);
  if (state.paused) throw new Error('the exercise is paused by the facilitator; try again when it resumes');
  if (drill.record.status !== 'running') throw new Error(`the exercise has ended (${drill.record.status})`);
  return h.name;
}

/** Refuses a participant's answer that the exercise does not allow now. */
export function authorize(state: ExerciseState, token: string | undefined, by: string): void {
  const name = participant(state, token, 'answering a step');
  if (by !== name) throw new Error(`this token is ${name}'s: it cannot answer as ${by}`);
  if (!state.rec.declared) throw new Error('no incident has been declared: declare it first (drill exercise declare)');
}

/** A notification to the vendor does not go through while the vendor is unreachable. */
export function reachable({ rec }: ExerciseState, step: PeopleStepSpec): void {
  if (step.kind === 'notify' && step.audience === 'vendor' && (rec.vendorUnreachableUntil ?? 0) > Date.now()) {
    throw new Error(`${step.to} does not answer: the vendor cannot be reached now`);
  }
}
