// The scenario-undisclosed exercise (シナリオ非提示型訓練): drawing what the facilitator seals (which
// pool scenario, which target, which moment), checking a pool against its team, and the drill that
// results; the exercise's data is in model/exercise-types.ts. Pure: the exercise workflow draws the
// choice with these functions, tests check them alone.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { seededRandom } from './fault.js';
import { planFaults } from './plan.js';
import { allSteps, type DrillSpec } from './spec.js';
import type { ExerciseAccess, ExerciseRecord, Inject, SealedChoice } from './exercise-types.js';

// Workflows and the CLI take the exercise's vocabulary from here with its functions.
export type { ExerciseAccess, ExerciseRecord, ExerciseSpec, Inject, SealedChoice } from './exercise-types.js';

/**
 * Tokens are minted by `drill exercise start` and handed out; the workflow keeps only their hashes,
 * so neither its state nor a view of it can give a token back.
 */
export const tokenHash = (token: string): string => bytesToHex(sha256(utf8ToBytes(token)));

export type ExerciseInput = {
  /** absent when a schedule starts it: the workflow's own id */
  exerciseId?: string;
  /** the pool's scenario files and directories, read when the exercise starts (so a revision accepted since, or a file added, is in it) */
  pool: string[];
  windowMs: number;
  seed?: number;
  facilitator: string;
  /** who takes part and in which roles (the union of the pool's participants unless given) */
  team: Record<string, string[]>;
  access: ExerciseAccess;
  results: string;
  /** where the facilitator's notices (exercise started, escalations) are POSTed */
  webhook?: string;
  lang?: 'en' | 'ja';
};

/** An exercise id as Docker names take it: a schedule's firings are named `<schedule>-run-<time with colons>`. */
export const exerciseIdOf = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, '-');
/** The drill id of an exercise: nothing in it says which scenario was chosen. */
export const exerciseDrillId = (exerciseId: string) => `${exerciseIdOf(exerciseId)}.drill`;

/**
 * Why a pool would give its choice away, or stall: entries whose availability probes differ (the team's
 * monitoring would name the scenario), roles its steps need that nobody in the team holds.
 */
export function poolFindings(pool: DrillSpec[], team: Record<string, string[]>): string[] {
  const out: string[] = [];
  const probes = (s: DrillSpec) => Object.entries(s.probes).filter(([, p]) => p.kind === 'availability').map(([n]) => n).sort().join(', ');
  const first = pool[0];
  for (const s of pool.slice(1)) {
    if (first && probes(s) !== probes(first)) out.push(`${s.scenarioFile ?? s.scenario}: its availability probes (${probes(s)}) differ from ${first.scenarioFile ?? first.scenario}'s (${probes(first)}); the team's monitoring would tell which was chosen`);
  }
  const held = new Set(Object.values(team).flat());
  for (const s of pool) {
    for (const step of allSteps(s.steps)) {
      const role = 'role' in step ? step.role : undefined;
      if (role !== undefined && !held.has(role)) out.push(`${s.scenarioFile ?? s.scenario}: step ${step.id} needs the role "${role}", which no participant holds`);
    }
  }
  return out;
}

export function chooseExercise(pool: DrillSpec[], seed: number, windowMs: number): SealedChoice {
  if (pool.length === 0) throw new Error('the pool is empty');
  const random = seededRandom(seed);
  const poolIndex = Math.floor(random() * pool.length);
  const spec = pool[poolIndex]!;
  // Whole seconds: a moment the report can state plainly.
  const momentMs = Math.floor((random() * windowMs) / 1000) * 1000;
  const drillSeed = Math.floor(random() * 2 ** 31);
  const targets = planFaults(spec, drillSeed);
  const faults = allSteps(spec.steps).flatMap((s) => (s.kind !== 'fault' ? [] : [{
    step: s.id, ...(s.title !== undefined && { title: s.title }),
    type: s.fault?.type ?? s.docker!.action, targets: targets[s.id] ?? [],
  }]));
  return { scenario: spec.scenario, ...(spec.scenarioFile !== undefined && { scenarioFile: spec.scenarioFile }), poolIndex, poolSize: pool.length, seed, drillSeed, momentMs, faults };
}

/** The drill the exercise runs: the chosen scenario, answered by the team, with the choice sealed in. */
export function exerciseDrill(exerciseId: string, input: ExerciseInput, pool: DrillSpec[], choice: SealedChoice): DrillSpec {
  const chosen = pool[choice.poolIndex]!;
  // Escalations and RTO warnings go to the facilitator alone: the scenario's own webhook is usually the
  // team's channel, and its messages (and which webhook it is) would tell the team what was chosen.
  const webhook = input.webhook;
  return {
    ...chosen,
    drillId: exerciseDrillId(exerciseId),
    participants: input.team,
    operator: 'people',
    seed: choice.drillSeed,
    escalation: { ...(webhook !== undefined && { webhook }) },
    exercise: { exerciseId, facilitator: input.facilitator, windowMs: input.windowMs, access: input.access, choice },
  };
}

/** Everyone named in the pool, with every role the pool gives them: it says nothing of the choice. */
export function poolTeam(pool: DrillSpec[]): Record<string, string[]> {
  const team: Record<string, Set<string>> = {};
  for (const spec of pool) for (const [name, roles] of Object.entries(spec.participants ?? {})) for (const r of roles) (team[name] ??= new Set()).add(r);
  return Object.fromEntries(Object.entries(team).map(([n, roles]) => [n, [...roles].sort()]));
}

export type FacilitatorAction =
  | { kind: 'pause'; reason?: string }
  | { kind: 'resume' }
  | { kind: 'abort'; reason?: string }
  | { kind: 'reveal' }
  | { kind: 'inject'; inject: Inject };

/** Paused time inside [from, to]: an exercise's clock does not run while the facilitator holds it. */
export function pausedWithin(pauses: ExerciseRecord['pauses'], from: number, to: number): number {
  return pauses.reduce((ms, p) => ms + Math.max(0, Math.min(p.until ?? to, to) - Math.max(p.at, from)), 0);
}
