// What a scenario-undisclosed exercise adds to a drill: to its spec (the sealed choice, who holds
// which credential) and to its record (detection, declaration, injects, pauses). Kept apart from
// model/exercise.ts, which draws the choice from drill specs: the spec and the record need these
// types, and must not depend on the drawing that depends on them.
import type { FaultInput } from './fault.js';

export type ExerciseAccess = { facilitator: string; participants: Record<string, string> };

/** What the facilitator seals: participants learn it only from the reveal. */
export type SealedChoice = {
  scenario: string;
  scenarioFile?: string;
  /** position in the pool, as the pool was given */
  poolIndex: number;
  poolSize: number;
  /** the exercise's seed: the same pool, window and seed give the same choice */
  seed: number;
  /** the drill's own seed (its faults' targets) */
  drillSeed: number;
  /** when, counted from the start of the exercise, the first fault is let loose */
  momentMs: number;
  faults: { step: string; title?: string; type: string; targets: string[] }[];
};

/** The exercise as the drill workflow carries it. */
export type ExerciseSpec = {
  exerciseId: string;
  facilitator: string;
  windowMs: number;
  access: ExerciseAccess;
  choice: SealedChoice;
};

/** A complication the facilitator adds while the exercise runs. */
export type Inject =
  /** the person is unavailable for the rest of the drill: their credential is refused from now on */
  | { kind: 'unavailable'; person: string; note?: string }
  /** notifying the vendor does not go through for this long */
  | { kind: 'vendor-unreachable'; forMs: number; note?: string }
  /** one more fault from the library on a container of the drill, healed like the plan's own: after `forMs`, or when the drill ends */
  | { kind: 'fault'; fault: FaultInput; forMs?: number; note?: string };

/** What the exercise adds to a drill's record. Times are epoch milliseconds. */
export type ExerciseRecord = {
  exerciseId: string;
  facilitator: string;
  windowMs: number;
  choice: SealedChoice;
  /** when the hold before the first fault ended (the moment, as it happened) */
  momentAt?: number;
  detected?: { at: number; by: string; note?: string };
  declared?: { at: number; by: string; note?: string };
  injects: { at: number; by: string; inject: Inject; detail: string }[];
  pauses: { at: number; until?: number; reason?: string }[];
  unavailable: string[];
  /** vendor notifications do not go through until then */
  vendorUnreachableUntil?: number;
  revealedAt?: number;
};
