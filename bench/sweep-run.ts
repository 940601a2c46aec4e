// One run of the kill/abort sweep: a site-failover drill on a real worker process, disturbed once at a
// chosen moment (a SIGKILL of the worker, then a fresh one; or an abort), and what it left: the
// record's steps, the Docker resources labelled with its id, faults not healed, teardown attempts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Client } from '@temporalio/client';
import { FAULT_LABEL } from '../activities/netem.js';
import { RUN_LABEL } from '../activities/names.js';
import type { DrillRecord } from '../model/record.js';
import type { DrillSpec } from '../model/spec.js';
import { drillWorkflow } from '../workflows/drill.js';
import { abortSignal } from '../workflows/messages.js';
import { watchDrill } from './engine-events.js';

/**
 * When to disturb the drill: so long after it started; just after the engine created its nth container
 * (provisioning) or removed it (teardown); or never.
 */
export type Moment = { kind: 'time'; atMs: number } | { kind: 'create' | 'destroy'; nth: number } | { kind: 'none' };
export type Disturbance = 'kill' | 'abort';

export type Outcome = {
  status: string;
  failure?: string;
  /** when the disturbance landed, and where the drill was then */
  at?: number;
  phase: string;
  durationMs: number;
  /** every step of the plan completed, started and completed exactly once */
  stepsOnce: boolean;
  /** steps completed of the plan's, e.g. 15/15 */
  stepsDone: string;
  /** the steps that were not started and completed exactly once */
  notOnce: string[];
  left: { containers: number; networks: number; volumes: number; sidecars: number };
  faultsLeft: number;
  cleanupError?: string;
  teardownAttempts: number[];
};

const RUN_TIMEOUT_MS = 12 * 60_000;
const WORKER_MAIN = fileURLToPath(new URL('../worker/main.js', import.meta.url));

/** A worker process on the sweep's queue, ready once it polls; its output goes to the sweep's log. */
export async function startWorker(address: string, taskQueue: string, log: WriteStream): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_MAIN], { env: { ...process.env, TEMPORAL_ADDRESS: address, DRILL_TASK_QUEUE: taskQueue }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = (d: Buffer) => log.write(`[worker ${child.pid}] ${d}`);
  child.stderr!.on('data', tag);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { tag(d); if (d.toString().includes('polling')) resolve(); });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before polling; see ${log.path}`)));
  });
  return child;
}

export const openLog = (path: string) => createWriteStream(path, { flags: 'a' });

export type SweepContext = { docker: Docker; client: Client; address: string; taskQueue: string; log: WriteStream; worker: ChildProcess };

/** Runs one drill to its end with one disturbance at `moment`, and checks what it left. */
export async function sweepRun(ctx: SweepContext, spec: DrillSpec, disturbance: Disturbance, moment: Moment): Promise<Outcome> {
  let at: number | undefined;
  let replacement: Promise<void> | undefined;
  const handle = await ctx.client.workflow.start(drillWorkflow, { taskQueue: ctx.taskQueue, workflowId: spec.drillId, args: [spec] });
  const disturb = () => {
    if (at !== undefined) return;
    at = Date.now();
    if (disturbance === 'abort') {
      handle.signal(abortSignal, 'abort by the sweep').catch((e) => ctx.log.write(`abort signal: ${e}\n`));
      return;
    }
    // The kill first, at once: only then is a fresh worker started for the drill to finish on.
    const dead = ctx.worker;
    dead.kill('SIGKILL');
    replacement = new Promise((r) => (dead.exitCode !== null || dead.signalCode !== null ? r(undefined) : dead.once('exit', r)))
      .then(() => startWorker(ctx.address, ctx.taskQueue, ctx.log)).then((w) => { ctx.worker = w; });
  };
  let seen = 0;
  const stopWatching = moment.kind === 'create' || moment.kind === 'destroy'
    ? await watchDrill(ctx.docker, spec.drillId, (e) => { if (e.Type === 'container' && e.Action === moment.kind && ++seen === moment.nth) disturb(); })
    : () => {};
  const started = Date.now();
  const timer = moment.kind === 'time' ? setTimeout(disturb, moment.atMs) : undefined;
  let record: DrillRecord | undefined;
  let failure: string | undefined;
  try {
    record = await Promise.race([handle.result(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no result after ${RUN_TIMEOUT_MS / 60_000} min`)), RUN_TIMEOUT_MS).unref())]);
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    await handle.terminate('the sweep gave up on it').catch(() => {});
  } finally {
    clearTimeout(timer);
    stopWatching();
  }
  const durationMs = Date.now() - started;
  await replacement;
  // Anything still being created after the drill said it cleaned up shows up within this pause.
  await new Promise((r) => setTimeout(r, 2000));
  const left = await leftovers(ctx.docker, spec.drillId);
  if (left.containers + left.networks + left.volumes > 0) await removeLabelled(ctx.docker, spec.drillId);
  const steps = stepsOnce(spec, record);
  return {
    status: record?.status ?? 'no result', failure: record?.failure ?? failure, ...(at !== undefined && { at: at - started }),
    phase: at === undefined ? 'not disturbed (the drill ended first)' : phaseAt(record, at),
    durationMs, ...steps, left,
    faultsLeft: (record?.faults ?? []).filter((f) => f.effectAt !== undefined && f.healedAt === undefined).length,
    ...(record?.cleanup?.error && { cleanupError: record.cleanup.error }),
    teardownAttempts: await teardownAttempts(ctx.client, spec.drillId),
  };
}

/** Every step of the plan completed, and started and completed exactly once on the timeline. */
function stepsOnce(spec: DrillSpec, record: DrillRecord | undefined): Pick<Outcome, 'stepsOnce' | 'stepsDone' | 'notOnce'> {
  const count = (type: string, id: string) => record?.timeline.filter((e) => e.type === type && e.step === id).length ?? 0;
  const done = spec.steps.filter((s) => record?.steps.find((r) => r.id === s.id)?.status === 'completed').length;
  const notOnce = spec.steps.filter((s) => count('step.started', s.id) !== 1 || count('step.completed', s.id) !== 1).map((s) => s.id);
  return { stepsOnce: done === spec.steps.length && notOnce.length === 0, stepsDone: `${done}/${spec.steps.length}`, notOnce };
}

/** Where the drill was at `t`: provisioning, a step, between steps, or its cleanup. */
function phaseAt(record: DrillRecord | undefined, t: number): string {
  if (!record) return 'unknown';
  const provisioned = record.timeline.find((e) => e.type === 'topology.provisioned')?.at;
  if (provisioned === undefined || t < provisioned) return 'provisioning';
  const step = record.steps.find((s) => s.startedAt !== undefined && s.startedAt <= t && (s.endedAt === undefined || t < s.endedAt));
  if (step) return `step ${step.id}`;
  const lastEnd = Math.max(...record.steps.map((s) => s.endedAt ?? 0));
  return t >= lastEnd || record.status !== 'completed' ? 'cleanup' : 'between steps';
}

export async function leftovers(docker: Docker, drillId: string) {
  const filters = { label: [`${RUN_LABEL}=${drillId}`] };
  const [containers, networks, volumes] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
  return { containers: containers.length, networks: networks.length, volumes: volumes.Volumes?.length ?? 0, sidecars: containers.filter((c) => c.Labels[FAULT_LABEL] !== undefined).length };
}

/** What a failed or interrupted run left, removed so it cannot disturb the next one (a failed run's was counted first). */
export async function removeLabelled(docker: Docker, drillId: string): Promise<void> {
  const filters = { label: [`${RUN_LABEL}=${drillId}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => {});
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove({ force: true }).catch(() => {});
}

/** The attempt that completed each teardown activity of the drill, from its history. */
async function teardownAttempts(client: Client, workflowId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory().catch(() => undefined);
  const events = history?.events ?? [];
  const scheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'teardown').map((e) => String(e.eventId)));
  return events.filter((e) => scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId))).map((e) => e.activityTaskStartedEventAttributes!.attempt!);
}
