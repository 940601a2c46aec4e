// DrillContext: what every part of a running drill shares. The spec it runs, the record it writes,
// the timeline, notifications, where it is in its life, and how it is aborted. The parts (steps,
// probes, faults, people, an exercise) each take this one context instead of copies of its fields.
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { Endpoints } from '../activities/docker.js';
import type { DrillRecord, TimelineEventType, WaitingStep } from '../model/record.js';
import { allSteps, type DrillSpec, type StepSpec } from '../model/spec.js';
import { notifier } from './activities.js';
import { failureMessage } from './failures.js';
import type { DrillView } from './messages.js';

export type DrillPhase = DrillView['phase'];

export type DrillContext = {
  readonly spec: DrillSpec;
  readonly record: DrillRecord;
  /** every step, a parallel group's own steps right after the group */
  readonly order: StepSpec[];
  /** the seed of the drill's random choices */
  readonly seed: number;
  phase: DrillPhase;
  /** the step waiting for people now, if any (set by the people part, read by probes and views) */
  waiting: WaitingStep | null;
  /** where the topology's published ports are on the worker's host, once provisioned */
  endpoints: Endpoints;
  /** host keys of the drill's own SSH hosts, as found when the topology came up */
  hostKeys: Record<string, string>;
  /** why the drill is being aborted (a facilitator, a guardrail), once it is */
  abortReason: string | undefined;
  /** the scope the steps run in: cancelling it aborts the drill; cleanup runs outside it */
  readonly stepScope: CancellationScope;
  event(type: TimelineEventType, detail: string, step?: string, at?: number): void;
  /** logged by the worker and POSTed to the escalation webhook; a failure is a timeline event, never the drill's */
  notify(subject: string, message: string): Promise<void>;
  abort(reason: string): void;
};

export function createDrillContext(spec: DrillSpec): DrillContext {
  const order = allSteps(spec.steps);
  // Workflow randomness is replayed exactly; a declared seed makes the choices the same across drills.
  const seed = spec.seed ?? Math.floor(Math.random() * 2 ** 31);
  const record: DrillRecord = {
    drillId: spec.drillId, spec, status: 'running', startedAt: Date.now(), t0: null, seed, faults: [],
    steps: order.map((s) => ({ id: s.id, kind: s.kind, status: 'pending', ...(s.title !== undefined && { title: s.title }), ...(s.expectedMs !== undefined && { expectedMs: s.expectedMs }) })),
    timeline: [], availability: {}, ledger: {}, breakdowns: [], notifications: [],
  };
  const drill: DrillContext = {
    spec, record, order, seed,
    phase: 'provisioning', waiting: null, endpoints: {}, hostKeys: {}, abortReason: undefined,
    stepScope: new CancellationScope(),
    event(type, detail, step, at = Date.now()) {
      record.timeline.push({ at, type, detail, ...(step !== undefined && { step }) });
    },
    async notify(subject, message) {
      // Specs recorded before escalation existed have none.
      const webhook = spec.escalation?.webhook;
      await notifier.notify({ drillId: spec.drillId, subject, message, ...(webhook !== undefined && { webhook }) })
        .catch((err) => {
          if (isCancellation(err)) throw err;
          drill.event('notify.failed', `${subject}: ${failureMessage(err)}`);
        });
    },
    abort(reason) {
      drill.abortReason = reason;
      drill.stepScope.cancel();
    },
  };
  return drill;
}

/** Runs a part that goes on beside the steps; its failure is a timeline event, not the drill's. */
export function beside(drill: DrillContext, failed: TimelineEventType, what: string, run: () => Promise<void>): Promise<void> {
  return run().catch((err) => {
    if (!isCancellation(err)) drill.event(failed, `${what}${failureMessage(err)}`);
  });
}
