// drillWorkflow: runs a DrillSpec's steps in order against the drill's own topology, measuring
// as it goes. Deterministic: every effect is an activity; time is the workflow's own.
// Cleanup runs in a non-cancellable scope, so abort, failure or a crash still removes everything.
import { allHandlersFinished, CancellationScope, condition, patched, isCancellation, proxyActivities, setHandler, sleep, workflowInfo, ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ActionResult, ContainerAction, DockerActivities, Endpoints } from '../activities/docker.js';
import type { SshActivities, SshTarget } from '../activities/ssh.js';
import type { ProbeActivities, ProbeTarget } from '../activities/probes.js';
import type { DrillRecord, TimelineEvent, TimelineEventType } from '../model/record.js';
import { mergeRuns } from '../model/record.js';
import { allSteps, isSshAction, type DockerAction, type DrillSpec, type Endpoint, type ProbeSpec, type SshAction, type StepSpec } from '../model/spec.js';
import { blastRadiusExceeded, planFaults } from '../model/plan.js';
import type { NotifyActivities } from '../activities/notify.js';
import { measureRto } from '../model/measure.js';
import { formatDuration } from '../model/duration.js';
import { abortSignal, healSignal, statusQuery, type DrillView } from './messages.js';
import { peopleSteps } from './people.js';
import { faultRunner } from './faults.js';
import { exerciseControls } from './exercise-controls.js';

/** One probe activity covers this much time; the workflow strings segments together. */
export const PROBE_SEGMENT_MS = 2000;
const HEARTBEAT = '5s';

const setup = proxyActivities<DockerActivities>({
  startToCloseTimeout: '5m', heartbeatTimeout: '1m', retry: { maximumAttempts: 3, initialInterval: '1s' },
});
const notifier = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '30s', retry: { maximumAttempts: 5, initialInterval: '1s' },
});
const probes = proxyActivities<ProbeActivities>({
  startToCloseTimeout: PROBE_SEGMENT_MS + 30_000, heartbeatTimeout: HEARTBEAT, retry: { maximumAttempts: 10, initialInterval: '200ms' },
});

class StepFailed extends Error {}

export async function drillWorkflow(spec: DrillSpec): Promise<DrillRecord> {
  const order = allSteps(spec.steps);
  // Workflow randomness is replayed exactly; a declared seed makes the choices the same across drills.
  const seed = spec.seed ?? Math.floor(Math.random() * 2 ** 31);
  const record: DrillRecord = {
    drillId: spec.drillId, spec, status: 'running', startedAt: Date.now(), t0: null, seed, faults: [],
    steps: order.map((s) => ({ id: s.id, kind: s.kind, status: 'pending', ...(s.title !== undefined && { title: s.title }), ...(s.expectedMs !== undefined && { expectedMs: s.expectedMs }) })),
    timeline: [], availability: {}, ledger: {}, breakdowns: [], notifications: [],
  };
  let phase: DrillView['phase'] = 'provisioning';
  const event = (type: TimelineEventType, detail: string, step?: string, at = Date.now()) => {
    const e: TimelineEvent = { at, type, detail, ...(step !== undefined && { step }) };
    record.timeline.push(e);
  };
  const results = new Map(record.steps.map((r) => [r.id, r]));
  const faults = faultRunner({ spec, faults: record.faults!, event: (...a) => event(...a), failureMessage: (e) => failureMessage(e) });
  const faultTargets = planFaults(spec, seed);
  const declaresT0 = order.some((s) => s.kind === 'fault' && s.t0 === true);
  const notify = async (subject: string, message: string) => {
    // Specs recorded before escalation existed have none.
    const webhook = spec.escalation?.webhook;
    await notifier.notify({ drillId: spec.drillId, subject, message, ...(webhook !== undefined && { webhook }) })
      .catch((err) => {
        if (isCancellation(err)) throw err;
        event('notify.failed', `${subject}: ${failureMessage(err)}`);
      });
  };
  const view = (): DrillView => ({
    drillId: spec.drillId, scenario: spec.scenario, status: record.status, phase, startedAt: record.startedAt, t0: record.t0,
    steps: record.steps, waiting: people.waiting(), breakdowns: record.breakdowns.length,
    objectives: spec.objectives.map(({ system, rtoMs, rpoMs }) => ({ system, rtoMs, rpoMs })),
    lastEvents: record.timeline.slice(-10),
    activeFaults: faults.active(),
  });
  const stepScope = new CancellationScope();
  let abortReason: string | undefined;
  const abort = (reason: string) => {
    abortReason = reason;
    stepScope.cancel();
  };
  // An exercise answers only with a token (its own query and updates); the plain status query and
  // abort signal would hand the sealed scenario to anyone who asked.
  const exercise = spec.exercise && exerciseControls({
    spec, record, event, view, abort, notify, waiting: () => people.waiting(),
    injectFault: async (step, plan, targets, durationMs) => {
      await faults.run({ id: step, fault: plan, ...(durationMs !== undefined && { durationMs }), background: true }, targets);
    },
  });
  const people = peopleSteps({
    spec, record, event, notify,
    contradiction: async (step) => (step.kind === 'manual' && step.verify !== undefined ? disagreement(step, step.verify, step.timeoutMs ?? 15_000) : null),
    ...(exercise && { exercise }),
  });
  setHandler(statusQuery, (): DrillView => {
    if (exercise) throw new Error('this drill is an exercise: its state is shown only with a token (drill exercise status ID --token T)');
    return view();
  });
  setHandler(abortSignal, (reason) => {
    if (exercise) event('exercise.refused', 'an abort signal without a token was ignored: the facilitator aborts with drill exercise abort');
    else abort(reason ?? 'aborted by the facilitator');
  });
  setHandler(healSignal, async () => {
    // Healing an exercise's sealed fault would end the exercise for anyone who asked: the facilitator aborts.
    if (exercise) return event('exercise.refused', 'a heal signal without a token was ignored: the facilitator heals by aborting the exercise');
    event('heal.requested', 'every fault in place is healed now (drill heal)');
    await faults.healAll();
  });

  let endpoints: Endpoints = {};
  /** host keys of the drill's own SSH hosts, as found when the topology came up */
  let hostKeys: Record<string, string> = {};
  const target = (e: Endpoint, timeoutMs: number): ProbeTarget => {
    const hostPort = endpoints[e.container]?.[e.port];
    if (hostPort === undefined) throw ApplicationFailure.nonRetryable(`${e.container}:${e.port} is not published`);
    return { endpoint: e, hostPort, timeoutMs };
  };
  const stopped = new Set<string>();
  const loops = new Map<string, Promise<void>>();
  const nextSeq = new Map<string, number>();

  /**
   * How long probes pause between bursts now: 0 unless people have kept the drill waiting longer than
   * the scenario's `sparseSampling.after`. Every probe segment is a few history events, so sampling
   * continuously through a wait of days would outgrow the workflow's history.
   */
  function sparsePause(): number {
    const w = people.waiting();
    const sparse = spec.sparseSampling ?? { afterMs: 1_800_000 };
    if (!w || Date.now() - w.since < sparse.afterMs) return 0;
    return sparse.everyMs ?? Math.min(600_000, Math.max(30_000, (Date.now() - w.since) / 10));
  }
  let sparseSince: number | null = null;

  async function probeLoop(name: string, p: ProbeSpec): Promise<void> {
    while (!stopped.has(name)) {
      const pause = sparsePause();
      if (pause > 0 && patched('sparse-sampling-while-waiting')) {
        if (sparseSince === null) {
          sparseSince = Date.now();
          event('probes.sparse', `people have kept the drill waiting: probes sample a ${formatDuration(PROBE_SEGMENT_MS)} burst every ${formatDuration(pause)} until the wait ends`);
        }
        // Wakes early when the wait ends, so sampling is continuous again for what follows.
        await condition(() => stopped.has(name) || sparsePause() === 0, pause);
        if (stopped.has(name)) break;
      }
      if (sparseSince !== null && sparsePause() === 0) {
        event('probes.dense', `continuous sampling again after sparse sampling since ${new Date(sparseSince).toISOString()}`);
        sparseSince = null;
      }
      if (p.kind === 'availability') {
        const runs = await probes.sampleAvailability({ ...target(p.target, p.timeoutMs), intervalMs: p.intervalMs, durationMs: PROBE_SEGMENT_MS });
        mergeRuns((record.availability[name] ??= []), runs);
        checkGuardrail(name);
      } else {
        const r = await probes.ledgerSegment({ ...target(p.target, p.timeoutMs), startSeq: nextSeq.get(name) ?? 1, intervalMs: p.intervalMs, durationMs: PROBE_SEGMENT_MS });
        (record.ledger[name] ??= { writes: [] }).writes.push(...r.writes);
        nextSeq.set(name, r.nextSeq);
      }
    }
  }

  /**
   * A guardrail fires when its probe, once seen healthy during the drill, fails for longer than its
   * tolerance: the drill is aborted, and the cleanup heals every fault before anything is removed.
   */
  let guardrailFired = false;
  function checkGuardrail(name: string): void {
    const g = spec.guardrails?.find((x) => x.probe === name);
    const runs = record.availability[name] ?? [];
    const armed = runs.findIndex((r) => r.ok);
    if (!g || guardrailFired || phase !== 'steps' || armed < 0) return;
    const breach = runs.slice(armed).find((r) => !r.ok && r.lastAt - r.firstAt >= g.toleranceMs);
    if (!breach) return;
    guardrailFired = true;
    abortReason = `guardrail ${name} fired: failing since ${new Date(breach.firstAt).toISOString()} (${breach.error ?? 'no answer'}), longer than its tolerance of ${formatDuration(g.toleranceMs)}`;
    event('guardrail.fired', abortReason, undefined, breach.firstAt + g.toleranceMs);
    stepScope.cancel();
  }

  async function stopProbe(name: string): Promise<void> {
    stopped.add(name);
    await loops.get(name);
  }

  async function readBack(name: string, readAgainLater: boolean): Promise<void> {
    const p = spec.probes[name]!;
    await stopProbe(name);
    const ledger = (record.ledger[name] ??= { writes: [] });
    const maxSeq = (nextSeq.get(name) ?? 1) + 256;
    const r = await probes.ledgerReadback({ ...target(p.target, p.timeoutMs), maxSeq });
    ledger.readback = { at: r.at, maxSeqChecked: maxSeq, present: r.present };
    const count = r.present.reduce((n, [a, b]) => n + b - a + 1, 0);
    event('ledger.readback', `${name}: ${count} of ${ledger.writes.length} writes present`);
    // A read-back in the middle of a drill is a checkpoint (after the failover, before the failback):
    // users keep writing, and a later read-back shows what the rest of the drill lost.
    if (readAgainLater && patched('ledger-checkpoints')) {
      (ledger.checkpoints ??= []).push(ledger.readback);
      stopped.delete(name);
      loops.set(name, probeLoop(name, p).catch((err) => { if (!isCancellation(err)) event('probe.failed', `${name}: ${failureMessage(err)}`); }));
    }
  }

  const act = (timeoutMs: number | undefined) => proxyActivities<DockerActivities>({
    startToCloseTimeout: timeoutMs ?? 120_000, heartbeatTimeout: '10s', retry: { maximumAttempts: 3, initialInterval: '1s' },
  });

  async function doDocker(step: StepSpec, action: DockerAction, allowStop: boolean): Promise<ActionResult> {
    if (action.target !== undefined) return dockerOn(step, { ...action, target: action.target }, `${spec.drillId}.${step.id}`, allowStop);
    // A whole site at once: its first effect is when the site began to go, each container's is in the note.
    const members = Object.entries(spec.topology.containers).filter(([, c]) => c.site === action.site).map(([n]) => n);
    const results = await Promise.all(members.map((target) => dockerOn(step, { ...action, target }, `${spec.drillId}.${step.id}.${target}`, allowStop)));
    // A member that was already down (stopped earlier, or never started) says nothing of when this action took effect.
    const acted = results.filter((r) => !r.unchanged);
    const effectAt = Math.min(...(acted.length > 0 ? acted : results).map((r) => r.effectAt));
    const outputs = results.flatMap((r, k) => (r.output ? [`${members[k]}: ${r.output.trim()}`] : []));
    return {
      effectAt,
      note: `site ${action.site}: ${results.map((r, k) => `${members[k]} +${r.effectAt - effectAt}ms${r.note ? ` (${r.note})` : ''}`).join(', ')}`,
      ...(outputs.length > 0 && { output: outputs.join('\n') }),
    };
  }

  async function dockerOn(step: StepSpec, action: ContainerAction, key: string, allowStop: boolean): Promise<ActionResult> {
    const res = await act(step.timeoutMs).dockerAction({ drillId: spec.drillId, key, action });
    const exitOk = res.exitCode === undefined || res.exitCode === 0 || (allowStop && res.targetStopped === true);
    if (!exitOk) throw new StepFailed(`${action.action} on ${action.target} exited ${res.exitCode}: ${res.output?.trim().slice(-300) ?? ''}`);
    return res;
  }

  /** Where an SSH host is: a listed host as declared, a bastion of the topology through its published port. */
  function sshTarget(name: string): SshTarget {
    const external = spec.hosts?.[name];
    if (external) return { name, address: external.address, port: external.port, user: external.user, hostKey: external.hostKey, identityFile: external.identityFile };
    const c = spec.topology.containers[name]!;
    const port = endpoints[name]?.[c.ssh!.port];
    if (port === undefined || hostKeys[name] === undefined) throw new StepFailed(`${name} is not reachable over SSH (port ${c.ssh!.port} not published or no host key pinned)`);
    return { name, port, user: c.ssh!.user, hostKey: hostKeys[name] };
  }

  async function doSsh(step: StepSpec, action: SshAction, r: DrillRecord['steps'][number]): Promise<void> {
    const timeoutMs = step.timeoutMs ?? 120_000;
    const res = await proxyActivities<SshActivities>({
      startToCloseTimeout: timeoutMs + 60_000, heartbeatTimeout: '15s', retry: { maximumAttempts: 3, initialInterval: '1s' },
    }).sshCommand({ drillId: spec.drillId, key: `${spec.drillId}.${step.id}`, host: sshTarget(action.host), command: action.command, timeoutMs });
    Object.assign(r, { exitCode: res.exitCode, ...(res.stdout && { output: res.stdout }), ...(res.stderr && { stderr: res.stderr }) });
    event('ssh.exited', `${action.host}: \`${action.command}\` exited ${res.exitCode}${res.stderr ? `: ${res.stderr.trim().split('\n').slice(-1)[0]}` : ''}`, step.id, res.endedAt);
    if (res.exitCode !== 0) throw new StepFailed(`\`${action.command}\` on ${action.host} exited ${res.exitCode}${res.stderr ? `: ${res.stderr.trim().slice(-300)}` : ''}`);
  }

  async function runStep(step: StepSpec): Promise<void> {
    const r = results.get(step.id)!;
    r.status = 'running';
    r.startedAt = Date.now();
    event('step.started', step.title ?? step.kind, step.id);
    try {
      switch (step.kind) {
        case 'docker': {
          const res = await doDocker(step, step.docker, false);
          Object.assign(r, { effectAt: res.effectAt, ...(res.output && { output: res.output }) });
          break;
        }
        case 'ssh':
          await doSsh(step, step, r);
          break;
        case 'fault': {
          let effectAt: number;
          let held: Promise<void> = Promise.resolve();
          if (step.fault) ({ effectAt, held } = await faults.run({ ...step, fault: step.fault }, faultTargets[step.id]!));
          else {
            const res = await doDocker(step, step.docker!, true);
            effectAt = res.effectAt;
            event('fault.injected', `${step.docker!.action} ${step.docker!.target ?? `site ${step.docker!.site}`}${res.note ? ` (${res.note})` : ''}`, step.id, res.effectAt);
          }
          r.effectAt = effectAt;
          // The disaster's t0: the fault that says so, or the first one that takes effect; set before
          // the fault's duration runs out, so an abort during it still has its t0.
          if (record.t0 === null && (step.t0 ?? !declaresT0)) {
            record.t0 = effectAt;
            if (patched('rto-budget-warnings')) budgetWatch().catch((err) => { if (!isCancellation(err)) event('rto.budget.failed', failureMessage(err)); });
          }
          await held;
          break;
        }
        case 'parallel': {
          const outcomes = await Promise.allSettled(step.steps.map((child) => runStep(child)));
          const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
          if (failed) throw failed.reason;
          break;
        }
        case 'manual':
        case 'gate':
        case 'notify': {
          if (spec.operator === 'people') {
            if ((await people.run(step, r)) === 'skipped') {
              r.status = 'skipped';
              return;
            }
            break;
          }
          const auto = step.kind === 'manual' ? step.auto : undefined;
          if (auto && isSshAction(auto)) await doSsh(step, auto, r);
          else if (auto) {
            const res = await doDocker(step, auto, false);
            if (res.output) r.output = res.output;
          }
          const seen = step.kind === 'manual' && step.verify !== undefined ? await disagreement(step, step.verify, step.timeoutMs ?? 30_000) : null;
          if (seen !== null) throw new StepFailed(`the unattended operator's action did not take: ${seen}`);
          people.auto(step, r);
          break;
        }
        case 'wait': {
          if (step.forMs !== undefined) await sleep(step.forMs);
          else await awaitProbe(step, step.probe!, step.until);
          break;
        }
        case 'verify': {
          const p = spec.probes[step.probe]!;
          if (p.kind === 'ledger') await readBack(step.probe, order.slice(order.indexOf(step) + 1).some((s) => s.kind === 'verify' && s.probe === step.probe));
          else await awaitProbe(step, step.probe, 'healthy');
          break;
        }
      }
      r.status = 'completed';
      event('step.completed', `${step.id} completed`, step.id);
    } catch (err) {
      if (isCancellation(err)) {
        r.status = 'aborted';
        throw err;
      }
      r.status = 'failed';
      r.error = failureMessage(err);
      event('step.failed', r.error, step.id);
      if (step.onFailure === 'abort') throw new StepFailed(`step ${step.id} failed: ${r.error}`);
    } finally {
      r.endedAt = Date.now();
      r.durationMs = r.endedAt - r.startedAt;
    }
  }

  async function awaitProbe(step: StepSpec, name: string, until: 'healthy' | 'down', timeoutMs?: number) {
    const p = spec.probes[name]!;
    if (p.kind !== 'availability') throw new StepFailed(`${name} is not an availability probe`);
    const waitTimeoutMs = timeoutMs ?? step.timeoutMs ?? p.sustainMs + 60_000;
    const res = await proxyActivities<ProbeActivities>({
      startToCloseTimeout: waitTimeoutMs + 30_000, heartbeatTimeout: HEARTBEAT, retry: { maximumAttempts: 5, initialInterval: '200ms' },
    }).awaitProbe({ ...target(p.target, p.timeoutMs), until, intervalMs: p.intervalMs, sustainMs: p.sustainMs, waitTimeoutMs });
    event(until === 'healthy' ? 'probe.healthy' : 'probe.down', `${name} ${until}${res.lastError ? ` (${res.lastError})` : ''}`, step.id, res.holdsAt);
  }

  /** null when the probe comes to hold in time; otherwise what the system showed instead. */
  function disagreement(step: StepSpec, probe: string, timeoutMs: number): Promise<string | null> {
    return awaitProbe(step, probe, 'healthy', timeoutMs).then(() => null, (err) => {
      if (isCancellation(err)) throw err;
      return failureMessage(err);
    });
  }

  /**
   * RTO budget warnings at 50%, 80% and 100% of each objective's target, counted from t0, unless the
   * service is already restored by the probe's measure or the drill has ended.
   */
  async function budgetWatch(): Promise<void> {
    const t0 = record.t0!;
    await Promise.all(spec.objectives.map(async (o) => {
      const probe = spec.probes[o.availability];
      const restored = () => probe?.kind === 'availability' && measureRto(record.availability[o.availability] ?? [], t0, probe.sustainMs, probe.intervalMs).restoredAt !== null;
      for (const share of [0.5, 0.8, 1]) {
        const at = t0 + o.rtoMs * share;
        const ended = await condition(() => restored() || phase !== 'steps', Math.max(1, at - Date.now()));
        if (ended) return;
        const message = `${o.system}: ${Math.round(share * 100)}% of the RTO (${formatDuration(o.rtoMs)}) used and service not yet restored`;
        event('rto.budget', message);
        await notify('RTO budget', message);
      }
    }));
  }

  event('drill.started', `scenario ${spec.scenario} on task queue ${workflowInfo().taskQueue}`);
  try {
    await stepScope.run(async () => {
      if (order.some((s) => s.kind === 'fault' && s.fault)) {
        event('drill.seed', `seed ${seed}: ${Object.entries(faultTargets).map(([st, t]) => `${st} → ${t.join(', ')}`).join('; ')}`);
        // Before anything is created, let alone broken.
        const exceeded = blastRadiusExceeded(spec, faultTargets);
        if (exceeded) throw new StepFailed(`blast radius: ${exceeded}`);
      }
      endpoints = await setup.provision({ drillId: spec.drillId, topology: spec.topology });
      event('topology.provisioned', `${Object.keys(spec.topology.containers).length} containers, ${spec.topology.networks.length} networks, ${spec.topology.volumes.length} volumes`);
      const sshHosts = Object.entries(spec.topology.containers).filter(([, c]) => c.ssh).map(([n]) => n);
      if (sshHosts.length > 0) {
        hostKeys = await setup.pinHostKeys({ drillId: spec.drillId, hosts: sshHosts });
        event('ssh.pinned', sshHosts.map((h) => `${h} ${hostKeys[h]}`).join('; '));
      }
      for (const [name, p] of Object.entries(spec.probes)) {
        // A probe that gives up is a gap in the measurement, not a failed drill: record it and go on.
        loops.set(name, probeLoop(name, p).catch((err) => {
          if (!isCancellation(err)) event('probe.failed', `${name}: ${failureMessage(err)}`);
        }));
      }
      phase = 'steps';
      for (const step of spec.steps) {
        // Only an exercise awaits here: an extra await would reorder old drills' commands on replay.
        if (exercise) await exercise.ready(step);
        await runStep(step);
      }
    });
    record.status = 'completed';
  } catch (err) {
    if (isCancellation(err) || abortReason !== undefined) {
      record.status = 'aborted';
      record.failure = abortReason ?? 'cancelled';
    } else {
      record.status = 'failed';
      record.failure = failureMessage(err);
    }
    event(`drill.${record.status as "failed" | "aborted"}`, record.failure);
    for (const s of record.steps) if (s.status === 'pending') s.status = 'skipped';
  } finally {
    phase = 'cleanup';
    await CancellationScope.nonCancellable(async () => {
      // Heal first: a fault on a target outside the drill's own containers would outlive the teardown.
      await faults.healAll();
      for (const name of Object.keys(spec.probes)) stopped.add(name);
      await Promise.allSettled(loops.values());
      try {
        record.cleanup = await setup.teardown({ drillId: spec.drillId });
        event('cleanup.done', `removed ${record.cleanup.containers} containers, ${record.cleanup.networks} networks, ${record.cleanup.volumes} volumes`);
      } catch (err) {
        record.cleanup = { containers: 0, networks: 0, volumes: 0, error: failureMessage(err) };
        event('cleanup.failed', record.cleanup.error!);
      }
    });
    record.endedAt = Date.now();
    phase = 'done';
  }
  // Every participant's update gets its answer before the drill's history closes.
  // Non-cancellable: a cancelled drill still returns its record.
  await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
  return record;
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
