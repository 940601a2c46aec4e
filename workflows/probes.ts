// Probes in a drill: availability and ledger loops that run beside the steps from provisioning to
// cleanup, one short activity segment after another, and the waits and read-backs steps ask for.
// A probe that gives up is a gap in the measurement, not a failed drill.
import { ApplicationFailure, condition, isCancellation, patched } from '@temporalio/workflow';
import type { ProbeTarget } from '../activities/probes.js';
import { formatDuration } from '../model/duration.js';
import { ErrorType } from '../model/errors.js';
import { mergeRuns } from '../model/record.js';
import { sparsePauseMs } from '../model/sampling.js';
import type { Endpoint, ProbeSpec, StepSpec } from '../model/spec.js';
import { PROBE_SEGMENT_MS, probeSegments, probeWaits } from './activities.js';
import { beside, type DrillContext } from './context.js';
import { failureMessage, StepFailed } from './failures.js';

export type ProbeRunner = ReturnType<typeof probeRunner>;

/** The probes' loops: which are stopped, where each ledger goes on counting, when sparse sampling began. */
type Loops = {
  drill: DrillContext;
  /** told after each availability segment (the guardrails watch it) */
  sampled(probe: string): void;
  stopped: Set<string>;
  running: Map<string, Promise<void>>;
  nextSeq: Map<string, number>;
  sparseSince: number | null;
};

function target(drill: DrillContext, e: Endpoint, timeoutMs: number): ProbeTarget {
  const hostPort = drill.endpoints[e.container]?.[e.port];
  if (hostPort === undefined) throw ApplicationFailure.nonRetryable(`${e.container}:${e.port} is not published`, ErrorType.NotPublished);
  return { endpoint: e, hostPort, timeoutMs };
}

const sparsePause = (drill: DrillContext) => sparsePauseMs(drill.waiting?.since ?? null, Date.now(), drill.spec.sparseSampling);

async function loop(l: Loops, name: string, p: ProbeSpec): Promise<void> {
  const { drill, stopped } = l;
  const { record } = drill;
  while (!stopped.has(name)) {
    const pause = sparsePause(drill);
    if (pause > 0 && patched('sparse-sampling-while-waiting')) {
      if (l.sparseSince === null) {
        l.sparseSince = Date.now();
        drill.event('probes.sparse', `people have kept the drill waiting: probes sample a ${formatDuration(PROBE_SEGMENT_MS)} burst every ${formatDuration(pause)} until the wait ends`);
      }
      // Wakes early when the wait ends, so sampling is continuous again for what follows.
      await condition(() => stopped.has(name) || sparsePause(drill) === 0, pause);
      if (stopped.has(name)) break;
    }
    if (l.sparseSince !== null && sparsePause(drill) === 0) {
      drill.event('probes.dense', `continuous sampling again after sparse sampling since ${new Date(l.sparseSince).toISOString()}`);
      l.sparseSince = null;
    }
    if (p.kind === 'availability') {
      const runs = await probeSegments.sampleAvailability({ ...target(drill, p.target, p.timeoutMs), intervalMs: p.intervalMs, durationMs: PROBE_SEGMENT_MS });
      mergeRuns((record.availability[name] ??= []), runs);
      l.sampled(name);
    } else {
      const r = await probeSegments.ledgerSegment({ ...target(drill, p.target, p.timeoutMs), startSeq: l.nextSeq.get(name) ?? 1, intervalMs: p.intervalMs, durationMs: PROBE_SEGMENT_MS });
      (record.ledger[name] ??= { writes: [] }).writes.push(...r.writes);
      l.nextSeq.set(name, r.nextSeq);
    }
  }
}

function start(l: Loops, name: string, p: ProbeSpec): void {
  l.running.set(name, beside(l.drill, 'probe.failed', `${name}: `, () => loop(l, name, p)));
}

async function stop(l: Loops, name: string): Promise<void> {
  l.stopped.add(name);
  await l.running.get(name);
}

/** Waits until an availability probe holds (healthy or down) for its sustain time. */
async function awaitProbe(drill: DrillContext, step: StepSpec, name: string, until: 'healthy' | 'down', timeoutMs?: number): Promise<void> {
  const p = drill.spec.probes[name]!;
  if (p.kind !== 'availability') throw new StepFailed(`${name} is not an availability probe`);
  const waitTimeoutMs = timeoutMs ?? step.timeoutMs ?? p.sustainMs + 60_000;
  const res = await probeWaits(waitTimeoutMs).awaitProbe({ ...target(drill, p.target, p.timeoutMs), until, intervalMs: p.intervalMs, sustainMs: p.sustainMs, waitTimeoutMs });
  drill.event(until === 'healthy' ? 'probe.healthy' : 'probe.down', `${name} ${until}${res.lastError ? ` (${res.lastError})` : ''}`, step.id, res.holdsAt);
}

/**
 * Stops a ledger and reads back which of its writes survived. A read-back in the middle of a drill
 * is a checkpoint (after the failover, before the failback): users keep writing, and a later
 * read-back shows what the rest of the drill lost.
 */
async function readBack(l: Loops, name: string, readAgainLater: boolean): Promise<void> {
  const { drill } = l;
  const p = drill.spec.probes[name]!;
  await stop(l, name);
  const ledger = (drill.record.ledger[name] ??= { writes: [] });
  const maxSeq = (l.nextSeq.get(name) ?? 1) + 256;
  const r = await probeSegments.ledgerReadback({ ...target(drill, p.target, p.timeoutMs), maxSeq });
  ledger.readback = { at: r.at, maxSeqChecked: maxSeq, present: r.present };
  const count = r.present.reduce((n, [a, b]) => n + b - a + 1, 0);
  drill.event('ledger.readback', `${name}: ${count} of ${ledger.writes.length} writes present`);
  if (readAgainLater && patched('ledger-checkpoints')) {
    (ledger.checkpoints ??= []).push(ledger.readback);
    l.stopped.delete(name);
    start(l, name, p);
  }
}

export function probeRunner(drill: DrillContext, sampled: (probe: string) => void) {
  const l: Loops = { drill, sampled, stopped: new Set(), running: new Map(), nextSeq: new Map(), sparseSince: null };
  return {
    /** Starts every probe of the scenario, each in its own loop. */
    startAll(): void {
      for (const [name, p] of Object.entries(drill.spec.probes)) start(l, name, p);
    },
    /** Stops every loop; settles when each has (cleanup). */
    stopAll(): Promise<unknown> {
      for (const name of Object.keys(drill.spec.probes)) l.stopped.add(name);
      return Promise.allSettled(l.running.values());
    },
    awaitProbe: (step: StepSpec, name: string, until: 'healthy' | 'down') => awaitProbe(drill, step, name, until),
    /** null when the probe comes to hold in time; otherwise what the system showed instead. */
    contradiction(step: StepSpec, probe: string, timeoutMs: number): Promise<string | null> {
      return awaitProbe(drill, step, probe, 'healthy', timeoutMs).then(() => null, (err) => {
        if (isCancellation(err)) throw err;
        return failureMessage(err);
      });
    },
    readBack: (name: string, readAgainLater: boolean) => readBack(l, name, readAgainLater),
  };
}
