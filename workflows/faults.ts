// Faults in a drill: injected on the containers the plan chose, each verified by the activity that
// injected it, and healed by the workflow: after its duration, on `drill heal`, and in the drill's
// cleanup whatever ended it (completion, abort, a failed step, a guardrail, a worker that died and
// was replaced). A fault is registered before it is injected, so one whose injection was cut off
// is healed too; heals are idempotent.
import { isCancellation, sleep, CancellationScope } from '@temporalio/workflow';
import { UNHEALABLE, type FaultPlan, type FaultSpec } from '../model/fault.js';
import type { FaultRecord } from '../model/record.js';
import { faultHeal, faultInjection } from './activities.js';
import type { DrillContext } from './context.js';
import { failureMessage } from './failures.js';

/** What a plan's fault becomes on one chosen container. */
export function resolveFault(plan: FaultPlan, target: string): FaultSpec {
  const { select: _select, ...params } = plan;
  return { ...params, target };
}

export type FaultRunner = ReturnType<typeof faultRunner>;

/** The activity key of one fault on one container: the same at injection and at every heal. */
const faultKey = (drillId: string, step: string, target: string) => `${drillId}.${step}.${target}`;
// Not healed yet, including a heal that failed: the next heal (cleanup, drill heal) tries again.
const inPlace = (f: FaultRecord) => f.healedAt === undefined && !UNHEALABLE.has(f.type);

async function healOne(drill: DrillContext, injecting: Map<FaultRecord, Promise<unknown>>, f: FaultRecord): Promise<void> {
  const { spec, event } = drill;
  // An injection still under way is let finish first, or it would land after its heal.
  await injecting.get(f)?.catch(() => undefined);
  try {
    const r = await faultHeal.healFault({ drillId: spec.drillId, key: faultKey(spec.drillId, f.step, f.target), fault: f.fault });
    f.healedAt = r.healedAt;
    f.healEvidence = r.evidence;
    delete f.healError;
    event('fault.healed', `${f.type} on ${f.target}: ${r.evidence}`, f.step, r.healedAt);
  } catch (err) {
    if (isCancellation(err)) throw err;
    f.healError = failureMessage(err);
    event('fault.heal.failed', `${f.type} on ${f.target}: ${f.healError} (run \`drill heal ${spec.drillId}\`)`, f.step);
  }
}



export function faultRunner(drill: DrillContext) {
  const { spec } = drill;
  const event = drill.event;
  const faults = drill.record.faults!;
  const key = (step: string, target: string) => faultKey(spec.drillId, step, target);
  const injecting = new Map<FaultRecord, Promise<unknown>>();
  const healing = new Map<FaultRecord, Promise<void>>();

  /** One heal at a time per fault, however many ask for it (its timer, drill heal, the cleanup). */
  function healOnce(f: FaultRecord): Promise<void> {
    let p = healing.get(f);
    if (!p) {
      p = healOne(drill, injecting, f).finally(() => healing.delete(f));
      healing.set(f, p);
    }
    return p;
  }

  /** Heals every fault still in place (of one step, or all), at once; never cancelled half-way. */
  async function healAll(step?: string): Promise<void> {
    const due = faults.filter((f) => inPlace(f) && (step === undefined || f.step === step));
    if (due.length === 0) return;
    await CancellationScope.nonCancellable(() => Promise.all(due.map(healOnce)));
  }

  return {
    /**
     * Injects a step's fault on each chosen container at once. `effectAt` is the first instant one took
     * effect, known as soon as they have; `held` settles when the fault's duration is over and it is
     * healed (at once for a fault that holds until the drill ends, or runs in the background).
     */
    async run(step: { id: string; fault: FaultPlan; durationMs?: number; background?: boolean }, targets: string[]): Promise<{ effectAt: number; held: Promise<void> }> {
      const records = targets.map((target): FaultRecord => {
        const fault = resolveFault(step.fault, target);
        const r: FaultRecord = { step: step.id, type: fault.type, target, fault };
        faults.push(r);
        return r;
      });
      event('fault.targets', `${step.fault.type} on ${targets.join(', ')}`, step.id);
      const results = await Promise.allSettled(records.map((r) => {
        const p = faultInjection.injectFault({ drillId: spec.drillId, key: key(r.step, r.target), fault: r.fault }).then((e) => {
          r.effectAt = e.effectAt;
          r.evidence = e.evidence;
          event('fault.effect', `${r.type} on ${r.target}: ${e.evidence}`, step.id, e.effectAt);
        });
        injecting.set(r, p);
        return p.finally(() => injecting.delete(r));
      }));
      const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) {
        // Whatever part did take effect is undone before the step reports its failure.
        await healAll(step.id);
        throw failed.reason;
      }
      const effectAt = Math.min(...records.map((r) => r.effectAt!));
      if (step.durationMs === undefined) return { effectAt, held: Promise.resolve() };
      const heals = sleep(step.durationMs).then(() => healAll(step.id));
      if (step.background) {
        heals.catch((err) => { if (!isCancellation(err)) event('fault.heal.failed', failureMessage(err), step.id); });
        return { effectAt, held: Promise.resolve() };
      }
      return { effectAt, held: heals };
    },
    healAll,
    /** faults in place now (a failed heal included), for the status query and `drill heal` */
    active: () => faults.filter(inPlace).map((f) => ({ step: f.step, type: f.type, target: f.target, since: f.effectAt ?? null, ...(f.healError !== undefined && { healError: f.healError }) })),
  };
}
