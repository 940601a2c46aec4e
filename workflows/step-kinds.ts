// One handler per kind of step, as chaos-mesh has one reconciler per node kind. A handler does what its
// kind means and fills the step's result; the lifecycle around it (status, timing, failure, the
// timeline) is the same for every kind and lives in steps.ts. docs/architecture.md lists every place
// a new kind touches.
import { isCancellation, patched, sleep } from '@temporalio/workflow';
import type { StepResult } from '../model/record.js';
import { isSshAction, type DockerAction, type PeopleStepSpec, type SshAction, type StepSpec } from '../model/spec.js';
import { dockerAction, sshAction } from './actions.js';
import { budgetWatch } from './budget.js';
import { beside, type DrillContext } from './context.js';
import { failureMessage, StepFailed } from './failures.js';
import type { FaultRunner } from './faults.js';
import type { PeopleSteps } from './people.js';
import { recordBreakdown } from './people-record.js';
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

/**
 * A handler's work. It yields each promise where it would await one, and runStep awaits it: a step
 * then costs exactly the microtask hops the inline code that recorded running drills cost. One more
 * hop per step (an async handler awaited by runStep) reorders commands when a step ends in the same
 * workflow task as a timer of the RTO budget or of people, and a running drill's replay would fail
 * (test/workflow/coincident-jobs.test.ts).
 */
export type StepWork = Generator<Promise<unknown>, 'skipped' | void, unknown>;
type Handler<K extends StepSpec['kind']> = (step: Extract<StepSpec, { kind: K }>, r: StepResult, parts: StepParts) => StepWork;
type Handlers = { [K in StepSpec['kind']]: Handler<K> };

/** `const x = yield* wait(p)`: yields p to runStep, which awaits it, and gives back its value, typed. */
function* wait<T>(p: Promise<T>): Generator<Promise<T>, T, unknown> {
  return (yield p) as T;
}

/** A manual step's automation for people to check: a Docker action or an SSH command; its output goes into the step's result. */
async function runAutomation(drill: DrillContext, step: PeopleStepSpec, auto: DockerAction | SshAction, r: StepResult): Promise<void> {
  if (isSshAction(auto)) return sshAction(drill, step, auto, r);
  const res = await dockerAction(drill, step, auto, false);
  if (res.output) r.output = res.output;
}

/**
 * With people, a manual step's automation runs first and a person then confirms: the waiting step says
 * what it did, for them to check. One that failed is a breakdown (the system did not do what the
 * runbook said), and the person does the step by hand, or skips it.
 */
async function automateThenAsk(drill: DrillContext, step: PeopleStepSpec, auto: DockerAction | SshAction, r: StepResult): Promise<string> {
  const what = isSshAction(auto) ? `\`${auto.command}\` on ${auto.host}` : `${auto.action} ${auto.target ?? `site ${auto.site}`}`;
  try {
    await runAutomation(drill, step, auto, r);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const why = failureMessage(err);
    recordBreakdown(drill, step.id, { by: 'auto', code: 'system-differs', effect: 'prolonged', note: `the automation (${what}) failed: ${why}` }, 'verification');
    return `The automation (${what}) FAILED: ${why}. Recorded as a breakdown: do the step by hand and confirm (with your workaround), or skip it.`;
  }
  const printed = r.output?.trim() ? `; it printed: ${r.output.trim().slice(-300)}` : '';
  return `The automation ran (${what})${printed}. Check what it did, then confirm.`;
}

function* peopleStep(step: PeopleStepSpec, r: StepResult, { drill, people, probes }: StepParts): StepWork {
  const auto = step.kind === 'manual' ? step.auto : undefined;
  if (drill.spec.operator === 'people') {
    // People drills recorded before this ran no automation: they replay without it.
    const automated = auto && patched('auto-then-confirm') ? yield* wait(automateThenAsk(drill, step, auto, r)) : undefined;
    if ((yield* wait(people.run(step, r, automated))) === 'skipped') return 'skipped';
    return;
  }
  // The unattended operator: a manual step's automation runs, and its verification must hold. (Written
  // out, not through runAutomation: one more hop here would reorder recorded drills' commands.)
  if (auto && isSshAction(auto)) yield sshAction(drill, step, auto, r);
  else if (auto) {
    const res = yield* wait(dockerAction(drill, step, auto, false));
    if (res.output) r.output = res.output;
  }
  const seen = step.kind === 'manual' && step.verify !== undefined ? yield* wait(probes.contradiction(step, step.verify, step.timeoutMs ?? VERIFY_AFTER_AUTOMATION_MS)) : null;
  if (seen !== null) throw new StepFailed(`the unattended operator's action did not take: ${seen}`);
  people.auto(step, r);
}

/** The handler of a step's kind, typed for any step. */
export const handlerOf = (step: StepSpec) => STEP_KINDS[step.kind] as (s: StepSpec, r: StepResult, parts: StepParts) => StepWork;

export const STEP_KINDS: Handlers = {
  *docker(step, r, { drill }) {
    const res = yield* wait(dockerAction(drill, step, step.docker, false));
    Object.assign(r, { effectAt: res.effectAt, ...(res.output && { output: res.output }) });
  },

  *ssh(step, r, { drill }) {
    yield sshAction(drill, step, step, r);
  },

  *fault(step, r, { drill, faults, faultTargets }) {
    let effectAt: number;
    let held: Promise<void> = Promise.resolve();
    if (step.fault) ({ effectAt, held } = yield* wait(faults.run({ ...step, fault: step.fault }, faultTargets[step.id]!)));
    else {
      const res = yield* wait(dockerAction(drill, step, step.docker!, true));
      effectAt = res.effectAt;
      drill.event('fault.injected', `${step.docker!.action} ${step.docker!.target ?? `site ${step.docker!.site}`}${res.note ? ` (${res.note})` : ''}`, step.id, res.effectAt);
    }
    r.effectAt = effectAt;
    // The disaster's t0: the fault that says so, or the first one that takes effect; set before the
    // fault's duration runs out, so an abort during it still has its t0.
    const declaresT0 = drill.order.some((s) => s.kind === 'fault' && s.t0 === true);
    if (drill.record.t0 === null && (step.t0 ?? !declaresT0)) {
      drill.record.t0 = effectAt;
      if (patched('rto-budget-warnings')) beside(drill, 'rto.budget.failed', '', () => budgetWatch(drill));
    }
    yield held;
  },

  *parallel(step, _r, { run }) {
    const outcomes = yield* wait(Promise.allSettled(step.steps.map((child) => run(child))));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  },

  manual: peopleStep,
  gate: peopleStep,
  notify: peopleStep,

  *wait(step, _r, { probes }) {
    if (step.forMs !== undefined) yield sleep(step.forMs);
    else yield probes.awaitProbe(step, step.probe!, step.until);
  },

  *verify(step, _r, { drill, probes }) {
    const p = drill.spec.probes[step.probe]!;
    // A later read-back of the same ledger makes this one a checkpoint: the ledger goes on writing.
    const readAgainLater = drill.order.slice(drill.order.indexOf(step) + 1).some((s) => s.kind === 'verify' && s.probe === step.probe);
    if (p.kind === 'ledger') yield probes.readBack(step.probe, readAgainLater);
    else yield probes.awaitProbe(step, step.probe, 'healthy');
  },
};
