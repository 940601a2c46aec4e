// One handler per kind of step, as chaos-mesh has one reconciler per node kind. A handler does what its
// kind means and fills the step's result; the lifecycle around it (status, timing, failure, the
// timeline) is the same for every kind and lives in steps.ts. A new kind is a handler here and a
// schema entry in model/scenario.ts.
import { isCancellation, patched, sleep } from '@temporalio/workflow';
import type { StepResult } from '../model/record.js';
import { isSshAction, type PeopleStepSpec, type StepSpec } from '../model/spec.js';
import { dockerAction, sshAction } from './actions.js';
import { budgetWatch } from './budget.js';
import type { DrillContext } from './context.js';
import { failureMessage, StepFailed } from './failures.js';
import type { FaultRunner } from './faults.js';
import type { PeopleSteps } from './people.js';
import type { ProbeRunner } from './probes.js';

/** What the handlers act through: the drill and its running parts. */
export type StepParts = {
  drill: DrillContext;
  probes: ProbeRunner;
  faults: FaultRunner;
  people: PeopleSteps;
  /** the containers each fault step hits, chosen before anything was created */
  faultTargets: Record<string, string[]>;
  /** runs a step with the full lifecycle (a parallel group's children) */
  run(step: StepSpec): Promise<void>;
};

/** A verification after the unattended operator acted: the system needs time to come to it. */
const VERIFY_AFTER_AUTOMATION_MS = 30_000;
/** A verification after a person confirmed: the person says it is done, so it should hold at once. */
export const VERIFY_AFTER_CONFIRMATION_MS = 15_000;

type Handler<K extends StepSpec['kind']> = (step: Extract<StepSpec, { kind: K }>, r: StepResult, parts: StepParts) => Promise<'skipped' | void>;
type Handlers = { [K in StepSpec['kind']]: Handler<K> };

const peopleStep = async (step: PeopleStepSpec, r: StepResult, { drill, people, probes }: StepParts): Promise<'skipped' | void> => {
  if (drill.spec.operator === 'people') {
    if ((await people.run(step, r)) === 'skipped') return 'skipped';
    return;
  }
  // The unattended operator: a manual step's automation runs, and its verification must hold.
  const auto = step.kind === 'manual' ? step.auto : undefined;
  if (auto && isSshAction(auto)) await sshAction(drill, step, auto, r);
  else if (auto) {
    const res = await dockerAction(drill, step, auto, false);
    if (res.output) r.output = res.output;
  }
  const seen = step.kind === 'manual' && step.verify !== undefined ? await probes.contradiction(step, step.verify, step.timeoutMs ?? VERIFY_AFTER_AUTOMATION_MS) : null;
  if (seen !== null) throw new StepFailed(`the unattended operator's action did not take: ${seen}`);
  people.auto(step, r);
};

/** The handler of a step's kind, typed for any step. */
export const handlerOf = (step: StepSpec) => STEP_KINDS[step.kind] as (s: StepSpec, r: StepResult, parts: StepParts) => Promise<'skipped' | void>;

export const STEP_KINDS: Handlers = {
  async docker(step, r, { drill }) {
    const res = await dockerAction(drill, step, step.docker, false);
    Object.assign(r, { effectAt: res.effectAt, ...(res.output && { output: res.output }) });
  },

  async ssh(step, r, { drill }) {
    await sshAction(drill, step, step, r);
  },

  async fault(step, r, { drill, faults, faultTargets }) {
    let effectAt: number;
    let held: Promise<void> = Promise.resolve();
    if (step.fault) ({ effectAt, held } = await faults.run({ ...step, fault: step.fault }, faultTargets[step.id]!));
    else {
      const res = await dockerAction(drill, step, step.docker!, true);
      effectAt = res.effectAt;
      drill.event('fault.injected', `${step.docker!.action} ${step.docker!.target ?? `site ${step.docker!.site}`}${res.note ? ` (${res.note})` : ''}`, step.id, res.effectAt);
    }
    r.effectAt = effectAt;
    // The disaster's t0: the fault that says so, or the first one that takes effect; set before the
    // fault's duration runs out, so an abort during it still has its t0.
    const declaresT0 = drill.order.some((s) => s.kind === 'fault' && s.t0 === true);
    if (drill.record.t0 === null && (step.t0 ?? !declaresT0)) {
      drill.record.t0 = effectAt;
      if (patched('rto-budget-warnings')) budgetWatch(drill).catch((err) => { if (!isCancellation(err)) drill.event('rto.budget.failed', failureMessage(err)); });
    }
    await held;
  },

  async parallel(step, _r, { run }) {
    const outcomes = await Promise.allSettled(step.steps.map((child) => run(child)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  },

  manual: peopleStep,
  gate: peopleStep,
  notify: peopleStep,

  async wait(step, _r, { probes }) {
    if (step.forMs !== undefined) await sleep(step.forMs);
    else await probes.awaitProbe(step, step.probe!, step.until);
  },

  async verify(step, _r, { drill, probes }) {
    const p = drill.spec.probes[step.probe]!;
    // A later read-back of the same ledger makes this one a checkpoint: the ledger goes on writing.
    const readAgainLater = drill.order.slice(drill.order.indexOf(step) + 1).some((s) => s.kind === 'verify' && s.probe === step.probe);
    if (p.kind === 'ledger') await probes.readBack(step.probe, readAgainLater);
    else await probes.awaitProbe(step, step.probe, 'healthy');
  },
};
