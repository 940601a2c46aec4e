// DrillSpec: the resolved, plain-JSON form of a scenario that the workflow runs. Durations are
// milliseconds and every reference has been checked, so the workflow never re-validates.
import type { DockerActionInput, Scenario, ScenarioStep, NOTIFY_AUDIENCES, PROBE_PROTOCOLS, RTO_PHASES, SshActionInput } from './scenario.js';
import { durationMs } from './duration.js';
import { toFaultPlan, type FaultPlan } from './fault.js';
import type { ExerciseSpec } from './exercise-types.js';

export type NotifyAudience = (typeof NOTIFY_AUDIENCES)[number];
export type RtoPhase = (typeof RTO_PHASES)[number];

export type Endpoint = { container: string; port: number; protocol: (typeof PROBE_PROTOCOLS)[number]; path?: string };

export type ContainerSpec = {
  image: string;
  /** absent in specs recorded before labels existed */
  labels?: Record<string, string>;
  command?: string[];
  env: Record<string, string>;
  networks: string[];
  volumes: Record<string, string>;
  /** absent in specs recorded before tmpfs mounts existed */
  tmpfs?: Record<string, string>;
  ports: number[];
  start: boolean;
  site?: string;
  /** an SSH host of the drill: the drill's key is authorized on it and its host key pinned at provision */
  ssh?: { user: string; port: number };
};

/** An SSH host outside the topology: where it is, who logs in, its pinned host key, the worker's key file. */
export type ExternalHost = { address: string; port: number; user: string; hostKey: string; identityFile: string };

export type ProbeSpec =
  | { kind: 'availability'; target: Endpoint; intervalMs: number; sustainMs: number; timeoutMs: number }
  | { kind: 'ledger'; target: Endpoint; intervalMs: number; timeoutMs: number };

export type DockerAction = DockerActionInput;
export type SshAction = SshActionInput;
export const isSshAction = (a: DockerAction | SshAction): a is SshAction => 'host' in a;

type StepCommon = { id: string; title?: string; onFailure: 'abort' | 'continue'; expectedMs?: number; timeoutMs?: number; phase?: RtoPhase };
export type StepSpec =
  | (StepCommon & { kind: 'docker'; docker: DockerAction })
  | (StepCommon & { kind: 'fault'; docker?: DockerAction; fault?: FaultPlan; durationMs?: number; background?: boolean; t0?: boolean })
  | (StepCommon & { kind: 'parallel'; steps: StepSpec[] })
  | (StepCommon & { kind: 'ssh'; host: string; command: string })
  | (StepCommon & { kind: 'wait'; forMs?: number; probe?: string; until: 'healthy' | 'down' })
  | (StepCommon & { kind: 'manual'; runbook: string; auto?: DockerAction | SshAction; role?: string; verify?: string; escalateAfterMs?: number })
  | (StepCommon & { kind: 'gate'; decision: string; role: string; escalateAfterMs?: number })
  | (StepCommon & { kind: 'notify'; audience: NotifyAudience; to: string; message: string; escalateAfterMs?: number })
  | (StepCommon & { kind: 'verify'; probe: string });

/** Steps that wait for people when participants run the drill, and the unattended operator does otherwise. */
export type PeopleStepSpec = Extract<StepSpec, { kind: 'manual' | 'gate' | 'notify' }>;
export const isPeopleKind = (kind: string): kind is PeopleStepSpec['kind'] => kind === 'manual' || kind === 'gate' || kind === 'notify';
export const isPeopleStep = (s: StepSpec): s is PeopleStepSpec => isPeopleKind(s.kind);

/** Every step, a parallel group's own steps right after the group: for look-ups by id and reports. */
export const allSteps = (steps: StepSpec[]): StepSpec[] => steps.flatMap((s) => (s.kind === 'parallel' ? [s, ...s.steps] : [s]));

export type ObjectiveSpec = {
  system: string;
  rtoMs: number;
  rpoMs: number;
  rlo: string;
  availability: string;
  ledger?: string;
  /** measured from the start of this step (a planned disruption) instead of the fault's t0 */
  from?: string;
  /** the step whose completion shows the data back (absent: the ledger's read-back shows it) */
  dataCheck?: string;
};

/** A measure from an earlier drill that this drill checks: did the breakdown recur, was the objective met? */
export type FollowUpSpec = { id: string; finding: string; step?: string; code?: string; objective?: string; measure?: 'rto' | 'rpo' | 'rlo'; owner: string; due: string; from: string };

export type DrillSpec = {
  drillId: string;
  scenario: string;
  scenarioFile?: string;
  description?: string;
  topology: { networks: string[]; volumes: string[]; containers: Record<string, ContainerSpec> };
  /** SSH hosts outside the topology (absent in specs recorded before SSH steps existed) */
  hosts?: Record<string, ExternalHost>;
  probes: Record<string, ProbeSpec>;
  objectives: ObjectiveSpec[];
  steps: StepSpec[];
  participants?: Record<string, string[]>;
  /** the open follow-ups of earlier drills, reported as verified fixed, still failing or not exercised */
  followUps?: FollowUpSpec[];
  escalation: { webhook?: string };
  /** probes that must hold for the whole drill (absent in older specs) */
  guardrails?: { probe: string; toleranceMs: number }[];
  blastRadius?: { maxContainers: number };
  /** seeds the drill's random choices; absent: the workflow draws one and records it */
  seed?: number;
  /** absent in specs recorded before sparse sampling existed: the defaults apply */
  sparseSampling?: { afterMs: number; everyMs?: number };
  /**
   * auto: the unattended operator performs manual steps' `auto` actions and takes every decision.
   * people: manual steps, gates and notifications wait for participants (Workflow Updates).
   */
  operator: 'auto' | 'people';
  /**
   * people's answers came from this operator script (`--operator script:FILE`, by file name): a
   * rehearsal, whose timings are the script's pace, not people's (absent: people answered)
   */
  operatorScript?: string;
  /** a scenario-undisclosed exercise: the sealed choice and the credentials (absent for any other drill) */
  exercise?: ExerciseSpec;
};

const optMs = (d: string | undefined) => (d === undefined ? undefined : durationMs(d));

/** A scenario that passed validation, resolved into the spec a drill runs. */
export function toDrillSpec(scenario: Scenario, drillId: string, scenarioFile?: string, operator: DrillSpec['operator'] = 'auto'): DrillSpec {
  const probes: Record<string, ProbeSpec> = {};
  for (const [name, p] of Object.entries(scenario.probes)) {
    probes[name] = p.kind === 'availability'
      ? { kind: p.kind, target: p.target, intervalMs: durationMs(p.interval), sustainMs: durationMs(p.sustain), timeoutMs: durationMs(p.timeout) }
      : { kind: p.kind, target: p.target, intervalMs: durationMs(p.interval), timeoutMs: durationMs(p.timeout) };
  }
  const toStep = (s: ScenarioStep): StepSpec => {
    const common: StepCommon = {
      id: s.id,
      onFailure: s.onFailure,
      ...(s.title !== undefined && { title: s.title }),
      ...(s.expected !== undefined && { expectedMs: durationMs(s.expected) }),
      ...(s.timeout !== undefined && { timeoutMs: durationMs(s.timeout) }),
      ...(s.phase !== undefined && { phase: s.phase }),
    };
    switch (s.kind) {
      case 'docker':
        return { ...common, kind: 'docker', docker: s.docker };
      case 'fault':
        return {
          ...common, kind: 'fault',
          ...(s.docker !== undefined && { docker: s.docker }), ...(s.fault !== undefined && { fault: toFaultPlan(s.fault, durationMs) }),
          ...(s.duration !== undefined && { durationMs: durationMs(s.duration) }), ...(s.background && { background: true }), ...(s.t0 !== undefined && { t0: s.t0 }),
        };
      case 'parallel':
        return { ...common, kind: 'parallel', steps: s.steps.map(toStep) };
      case 'ssh':
        return { ...common, kind: 'ssh', host: s.host, command: s.command };
      case 'wait':
        return { ...common, kind: 'wait', until: s.until, ...(s.for !== undefined && { forMs: optMs(s.for) }), ...(s.probe !== undefined && { probe: s.probe }) };
      case 'manual':
        return {
          ...common, kind: 'manual', runbook: s.runbook, ...(s.auto !== undefined && { auto: s.auto }), ...(s.role !== undefined && { role: s.role }),
          ...(s.verify !== undefined && { verify: s.verify }), ...(s.escalateAfter !== undefined && { escalateAfterMs: durationMs(s.escalateAfter) }),
        };
      case 'gate':
        return { ...common, kind: 'gate', decision: s.decision, role: s.role, ...(s.escalateAfter !== undefined && { escalateAfterMs: durationMs(s.escalateAfter) }) };
      case 'notify':
        return { ...common, kind: 'notify', audience: s.audience, to: s.to, message: s.message, ...(s.escalateAfter !== undefined && { escalateAfterMs: durationMs(s.escalateAfter) }) };
      case 'verify':
        return { ...common, kind: 'verify', probe: s.probe };
    }
  };
  const steps = scenario.steps.map(toStep);
  return {
    drillId,
    scenario: scenario.name,
    ...(scenarioFile !== undefined && { scenarioFile }),
    ...(scenario.description !== undefined && { description: scenario.description }),
    topology: scenario.topology,
    ...(Object.keys(scenario.hosts).length > 0 && { hosts: scenario.hosts }),
    probes,
    objectives: scenario.objectives.map((o) => ({
      system: o.system, rtoMs: durationMs(o.rto), rpoMs: durationMs(o.rpo), rlo: o.rlo,
      availability: o.availability, ...(o.ledger !== undefined && { ledger: o.ledger }), ...(o.from !== undefined && { from: o.from }),
      ...(o.dataCheck !== undefined && { dataCheck: o.dataCheck }),
    })),
    steps,
    ...(scenario.participants !== undefined && { participants: scenario.participants }),
    ...(scenario.followUps?.some((f) => f.status === 'open') && {
      followUps: scenario.followUps.filter((f) => f.status === 'open').map(({ status: _status, ...f }) => f),
    }),
    escalation: scenario.escalation,
    ...(scenario.guardrails.length > 0 && { guardrails: scenario.guardrails.map((g) => ({ probe: g.probe, toleranceMs: durationMs(g.tolerance) })) }),
    ...(scenario.blastRadius !== undefined && { blastRadius: scenario.blastRadius }),
    ...(scenario.seed !== undefined && { seed: scenario.seed }),
    sparseSampling: { afterMs: durationMs(scenario.sparseSampling.after), ...(scenario.sparseSampling.every !== undefined && { everyMs: durationMs(scenario.sparseSampling.every) }) },
    operator,
  };
}
