// drillWorkflow: runs a DrillSpec against the drill's own topology, measuring as it goes, in the
// phases of Jepsen's run!: plan → provision → probes → steps → heal and teardown. Deterministic:
// every effect is an activity (activities.ts); time is the workflow's own. Cleanup runs in a
// non-cancellable scope, so abort, failure or a crash still heals every fault and removes everything.
import { allHandlersFinished, CancellationScope, condition, isCancellation, patched, workflowInfo } from '@temporalio/workflow';
import type { DrillRecord } from '../model/record.js';
import type { DrillSpec } from '../model/spec.js';
import { blastRadiusExceeded, planFaults } from '../model/plan.js';
import { provisioning, resumableProvisioning } from './activities.js';
import { createDrillContext, type DrillContext } from './context.js';
import { drillControls, drillView } from './controls.js';
import { exerciseControls } from './exercise-controls.js';
import { failureMessage, StepFailed } from './failures.js';
import { faultRunner, type FaultRunner } from './faults.js';
import { guardrailWatch } from './guardrails.js';
import { peopleSteps } from './people.js';
import { probeRunner, type ProbeRunner } from './probes.js';
import { VERIFY_AFTER_CONFIRMATION_MS } from './step-kinds.js';
import { stepRunner } from './steps.js';


export async function drillWorkflow(spec: DrillSpec): Promise<DrillRecord> {
  const drill = createDrillContext(spec);
  const faultTargets = planFaults(spec, drill.seed);
  const faults = faultRunner(drill);
  const probes = probeRunner(drill, guardrailWatch(drill));
  // An exercise answers only with a token (its own query and updates) and waits out its pauses.
  const exercise = spec.exercise && exerciseControls(drill, {
    view: () => drillView(drill, faults),
    injectFault: async (step, plan, targets, durationMs) => {
      await faults.run({ id: step, fault: plan, ...(durationMs !== undefined && { durationMs }), background: true }, targets);
    },
  });
  const people = peopleSteps(drill, {
    contradiction: async (step) => (step.kind === 'manual' && step.verify !== undefined ? probes.contradiction(step, step.verify, step.timeoutMs ?? VERIFY_AFTER_CONFIRMATION_MS) : null),
    ...(exercise && { exercise }),
  });
  drillControls(drill, faults, exercise !== undefined);
  const runStep = stepRunner({ drill, probes, faults, people, faultTargets });

  drill.event('drill.started', `scenario ${spec.scenario} on task queue ${workflowInfo().taskQueue}`);
  try {
    await drill.stepScope.run(async () => {
      checkPlan(drill, faultTargets);
      await provision(drill);
      probes.startAll();
      drill.phase = 'steps';
      for (const step of spec.steps) {
        // Only an exercise awaits here: an extra await would reorder old drills' commands on replay.
        if (exercise) await exercise.ready(step);
        await runStep(step);
      }
    });
    drill.record.status = 'completed';
  } catch (err) {
    ended(drill, err);
  } finally {
    drill.phase = 'cleanup';
    await CancellationScope.nonCancellable(() => healAndTeardown(drill, faults, probes));
    drill.record.endedAt = Date.now();
    drill.phase = 'done';
  }
  // Every participant's update gets its answer before the drill's history closes.
  // Non-cancellable: a cancelled drill still returns its record.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return drill.record;
}

/** The plan, before anything is created, let alone broken: the seed's choices and the blast radius. */
function checkPlan(drill: DrillContext, faultTargets: Record<string, string[]>): void {
  if (!drill.order.some((s) => s.kind === 'fault' && s.fault)) return;
  drill.event('drill.seed', `seed ${drill.seed}: ${Object.entries(faultTargets).map(([st, t]) => `${st} → ${t.join(', ')}`).join('; ')}`);
  const exceeded = blastRadiusExceeded(drill.spec, faultTargets);
  if (exceeded) throw new StepFailed(`blast radius: ${exceeded}`);
}

/**
 * Who builds and removes the topology. Drills recorded before it resumed from any point keep the proxy
 * they ran with: its cancellation did not wait, so replaying them with this one would move the teardown.
 */
const topology = () => (patched('resumable-provisioning') ? resumableProvisioning : provisioning);

/** Creates the topology and pins the host keys of its SSH hosts. */
async function provision(drill: DrillContext): Promise<void> {
  const { spec } = drill;
  drill.endpoints = await topology().provision({ drillId: spec.drillId, topology: spec.topology });
  drill.event('topology.provisioned', `${Object.keys(spec.topology.containers).length} containers, ${spec.topology.networks.length} networks, ${spec.topology.volumes.length} volumes`);
  const sshHosts = Object.entries(spec.topology.containers).filter(([, c]) => c.ssh).map(([n]) => n);
  if (sshHosts.length > 0) {
    drill.hostKeys = await provisioning.pinHostKeys({ drillId: spec.drillId, hosts: sshHosts });
    drill.event('ssh.pinned', sshHosts.map((h) => `${h} ${drill.hostKeys[h]}`).join('; '));
  }
}

/** How the drill ended when it did not complete: aborted (by a person or a guardrail) or failed. */
function ended(drill: DrillContext, err: unknown): void {
  const { record } = drill;
  if (isCancellation(err) || drill.abortReason !== undefined) {
    record.status = 'aborted';
    record.failure = drill.abortReason ?? 'cancelled';
  } else {
    record.status = 'failed';
    record.failure = failureMessage(err);
  }
  drill.event(record.status === 'aborted' ? 'drill.aborted' : 'drill.failed', record.failure);
  for (const s of record.steps) if (s.status === 'pending') s.status = 'skipped';
}

/** Heal first: a fault on a target outside the drill's own containers would outlive the teardown. */
async function healAndTeardown(drill: DrillContext, faults: FaultRunner, probes: ProbeRunner): Promise<void> {
  const { record, spec } = drill;
  await faults.healAll();
  await probes.stopAll();
  try {
    record.cleanup = await topology().teardown({ drillId: spec.drillId });
    drill.event('cleanup.done', `removed ${record.cleanup.containers} containers, ${record.cleanup.networks} networks, ${record.cleanup.volumes} volumes`);
  } catch (err) {
    record.cleanup = { containers: 0, networks: 0, volumes: 0, error: failureMessage(err) };
    drill.event('cleanup.failed', record.cleanup.error!);
  }
}
