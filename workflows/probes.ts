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

/** `sampled` is told after each availability segment (the guardrails watch it). */
export function probeRunner(drill: DrillContext, sampled: (probe: string) => void) {
  const { spec, record } = drill;
  const stopped = new Set<string>();
  const loops = new Map<string, Promise<void>>();
  const nextSeq = new Map<string, number>();
  let sparseSince: number | null = null;

  const target = (e: Endpoint, timeoutMs: number): ProbeTarget => {
    const hostPort = drill.endpoints[e.container]?.[e.port];
    if (hostPort === undefined) throw ApplicationFailure.nonRetryable(`${e.container}:${e.port} is not published`, ErrorType.NotPublished);
    return { endpoint: e, hostPort, timeoutMs };
  };
  const sparsePause = () => sparsePauseMs(drill.waiting?.since ?? null, Date.now(), spec.sparseSampling);

  async function loop(name: string, p: ProbeSpec): Promise<void> {
    while (!stopped.has(name)) {
      const pause = sparsePause();
      if (pause > 0 && patched('sparse-sampling-while-waiting')) {
        if (sparseSince === null) {
          sparseSince = Date.now();
          drill.event('probes.sparse', `people have kept the drill waiting: probes sample a ${formatDuration(PROBE_SEGMENT_MS)} burst every ${formatDuration(pause)} until the wait ends`);
        }
        // Wakes early when the wait ends, so sampling is continuous again for what follows.
        await condition(() => stopped.has(name) || sparsePause() === 0, pause);
        if (stopped.has(name)) break;
      }
      if (sparseSince !== null && sparsePause() === 0) {
        drill.event('probes.dense', `continuous sampling again after sparse sampling since ${new Date(sparseSince).toISOString()}`);
        sparseSince = null;
      }
      if (p.kind === 'availability') {
        const runs = await probeSegments.sampleAvailability({ ...target(p.target, p.timeoutMs), intervalMs: p.intervalMs, durationMs: PROBE_SEGMENT_MS });
        mergeRuns((record.availability[name] ??= []), runs);
        sampled(name);
      } else {
        const r = await probeSegments.ledgerSegment({ ...target(p.target, p.timeoutMs), startSeq: nextSeq.get(name) ?? 1, intervalMs: p.intervalMs, durationMs: PROBE_SEGMENT_MS });
        (record.ledger[name] ??= { writes: [] }).writes.push(...r.writes);
        nextSeq.set(name, r.nextSeq);
      }
    }
  }

  const start = (name: string, p: ProbeSpec) => {
    loops.set(name, beside(drill, 'probe.failed', `${name}: `, () => loop(name, p)));
  };

  async function stop(name: string): Promise<void> {
    stopped.add(name);
    await loops.get(name);
  }

  /** Waits until an availability probe holds (healthy or down) for its sustain time. */
  async function awaitProbe(step: StepSpec, name: string, until: 'healthy' | 'down', timeoutMs?: number): Promise<void> {
    const p = spec.probes[name]!;
    if (p.kind !== 'availability') throw new StepFailed(`${name} is not an availability probe`);
    const waitTimeoutMs = timeoutMs ?? step.timeoutMs ?? p.sustainMs + 60_000;
    const res = await probeWaits(waitTimeoutMs).awaitProbe({ ...target(p.target, p.timeoutMs), until, intervalMs: p.intervalMs, sustainMs: p.sustainMs, waitTimeoutMs });
    drill.event(until === 'healthy' ? 'probe.healthy' : 'probe.down', `${name} ${until}${res.lastError ? ` (${res.lastError})` : ''}`, step.id, res.holdsAt);
  }

  return {
    /** Starts every probe of the scenario, each in its own loop. */
    startAll(): void {
      for (const [name, p] of Object.entries(spec.probes)) start(name, p);
    },

    /** Stops every loop; settles when each has (cleanup). */
    stopAll(): Promise<unknown> {
      for (const name of Object.keys(spec.probes)) stopped.add(name);
      return Promise.allSettled(loops.values());
    },

    awaitProbe,

    /** null when the probe comes to hold in time; otherwise what the system showed instead. */
    contradiction(step: StepSpec, probe: string, timeoutMs: number): Promise<string | null> {
      return awaitProbe(step, probe, 'healthy', timeoutMs).then(() => null, (err) => {
        if (isCancellation(err)) throw err;
        return failureMessage(err);
      });
    },

    /**
     * Stops a ledger and reads back which of its writes survived. A read-back in the middle of a drill
     * is a checkpoint (after the failover, before the failback): users keep writing, and a later
     * read-back shows what the rest of the drill lost.
     */
    async readBack(name: string, readAgainLater: boolean): Promise<void> {
      const p = spec.probes[name]!;
      await stop(name);
      const ledger = (record.ledger[name] ??= { writes: [] });
      const maxSeq = (nextSeq.get(name) ?? 1) + 256;
      const r = await probeSegments.ledgerReadback({ ...target(p.target, p.timeoutMs), maxSeq });
      ledger.readback = { at: r.at, maxSeqChecked: maxSeq, present: r.present };
      const count = r.present.reduce((n, [a, b]) => n + b - a + 1, 0);
      drill.event('ledger.readback', `${name}: ${count} of ${ledger.writes.length} writes present`);
      if (readAgainLater && patched('ledger-checkpoints')) {
        (ledger.checkpoints ??= []).push(ledger.readback);
        stopped.delete(name);
        start(name, p);
      }
    },
  };
}
