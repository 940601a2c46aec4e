// Each objective of a drill against what the drill measured: its RTO from the availability probe, its
// RPO from the write ledger, where the outage time went, and why a figure could not be measured.
// Kept out of report/build.ts: the follow-up checks (report/followups.ts) judge these results, and the
// report that carries both takes them from here as well.
import type { DrillRecord, LedgerReadback, LedgerWrite, StepResult } from '../model/record.js';
import { formatDuration } from '../model/duration.js';
import { measureRpo, measureRto, presentSet, sampleGaps, type RpoMeasure, type RtoMeasure } from '../model/measure.js';
import { phaseSplit, type PhaseSplit } from './people.js';
import { iso } from './time.js';

export type ObjectiveResult = {
  system: string;
  rlo: string;
  /** a planned disruption measured from this step's start instead of t0 (e.g. the failback) */
  from?: string;
  rto: { targetMs: number; actualMs: number | null; met: boolean | null; detectedAt: string | null; restoredAt: string | null; resolutionMs: number | null;
    /** the steps that ran inside the outage window, largest share first: where the RTO went */
    consumedBy: { step: string; ms: number }[];
    /** the same window by phase: detect, decide, recover, verify (and time between steps) */
    phases: PhaseSplit | null };
  rpo: { targetMs: number; actualMs: number | null; met: boolean | null; acknowledgedWrites: number; lostWrites: number;
    unacknowledgedPresent: number; holes: number; newestSurvivorAckAt: string | null };
  note?: string;
};

/** Time each step spent inside [from, to]: the attribution of an outage to the steps that consumed it. */
export function consumedBy(steps: StepResult[], from: number, to: number): { step: string; ms: number }[] {
  return steps
    .filter((s) => s.startedAt !== undefined && s.endedAt !== undefined)
    .map((s) => ({ step: s.id, ms: Math.max(0, Math.min(s.endedAt!, to) - Math.max(s.startedAt!, from)) }))
    .filter((x) => x.ms > 0)
    .sort((a, b) => b.ms - a.ms);
}

const PROBE_BURST_SLACK_MS = 5000;

/** Stretches where probes sampled in bursts because people kept the drill waiting (from the timeline). */
export function sparseWindows(record: DrillRecord): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let from: number | null = null;
  for (const e of record.timeline) {
    if (e.type === 'probes.sparse') from = e.at;
    else if (e.type === 'probes.dense' && from !== null) { out.push({ from, to: e.at }); from = null; }
  }
  if (from !== null) out.push({ from, to: record.endedAt ?? Number.MAX_SAFE_INTEGER });
  return out;
}

/**
 * What an objective's RPO is judged on: the first read-back after its disruption began, and only the
 * writes sent before it and not already lost earlier (present at the read-back before, or written
 * since): a write the failover lost is the failover's, not the failback's.
 */
export function ledgerWindow(ledger: DrillRecord['ledger'][string], start: number): { writes: LedgerWrite[]; readback: LedgerReadback } | null {
  const all = [...(ledger.checkpoints ?? []), ...(ledger.readback ? [ledger.readback] : [])];
  const readback = all.find((rb) => rb.at >= start);
  if (!readback) return null;
  const baseline = all.filter((rb) => rb.at < start).pop();
  const before = baseline ? presentSet(baseline) : () => true;
  // Writes sent after the read-back are for a later one to judge.
  return { writes: ledger.writes.filter(([seq, sentAt]) => sentAt < readback.at && (baseline === undefined || sentAt >= baseline.at || before(seq))), readback };
}

/** Every objective of the drill, as measured. */
export function objectiveResults(record: DrillRecord): ObjectiveResult[] {
  const { spec, t0 } = record;
  return spec.objectives.map((o): ObjectiveResult => {
    const avail = spec.probes[o.availability];
    const runs = record.availability[o.availability] ?? [];
    let rto: RtoMeasure | null = null;
    let rpo: RpoMeasure | null = null;
    const notes: string[] = [];
    // The disruption this objective is measured from: the fault's t0, or the start of a planned one.
    const fromStep = o.from === undefined ? undefined : record.steps.find((st) => st.id === o.from);
    const start = o.from === undefined ? t0 : fromStep?.startedAt ?? null;
    if (start === null) notes.push(o.from === undefined ? 'no fault took effect, so there was no outage to measure' : `step ${o.from} never ran, so there was nothing to measure from`);
    else if (avail?.kind === 'availability') rto = measureRto(runs, start, avail.sustainMs, avail.intervalMs);
    if (avail?.kind === 'availability') {
      const sparse = sparseWindows(record);
      for (const g of sampleGaps(runs, avail.intervalMs, avail.timeoutMs).filter((x) => !sparse.some((w) => x.from >= w.from - 1000 && x.to <= w.to + PROBE_BURST_SLACK_MS))) {
        notes.push(`${o.availability} has no samples from ${iso(g.from)} to ${iso(g.to)} (${formatDuration(g.to - g.from)}; the orchestrator was not sampling)`);
      }
    }
    const ledger = o.ledger ? record.ledger[o.ledger] : undefined;
    if (o.ledger && start !== null) {
      const window = ledger ? ledgerWindow(ledger, start) : null;
      if (window) rpo = measureRpo(window.writes, window.readback, start);
      else notes.push(`ledger ${o.ledger} was never read back after ${o.from === undefined ? 't0' : `step ${o.from} started`} (no verify step reached it)`);
    }
    const restored = rto?.restoredAt != null && start !== null;
    // Service that came back while probes sampled in bursts was seen back only at the next burst.
    const burstMs = spec.sparseSampling?.everyMs ?? 600_000;
    const sparseRestore = restored && sparseWindows(record).some((w) => rto!.restoredAt! >= w.from && rto!.restoredAt! <= w.to + PROBE_BURST_SLACK_MS);
    if (sparseRestore) notes.push(`service came back while probes sampled in bursts: the RTO is known to within ${formatDuration(burstMs)}, not the probe interval`);
    const window = restored ? consumedBy(record.steps, start, rto!.restoredAt!) : [];
    return {
      system: o.system, rlo: o.rlo, ...(o.from !== undefined && { from: o.from }),
      rto: {
        targetMs: o.rtoMs, actualMs: rto?.actualMs ?? null,
        met: rto === null ? null : rto.actualMs !== null && rto.actualMs <= o.rtoMs,
        detectedAt: iso(rto?.detectedAt), restoredAt: iso(rto?.restoredAt), resolutionMs: sparseRestore ? Math.max(burstMs, rto?.resolutionMs ?? 0) : rto?.resolutionMs ?? null,
        consumedBy: window,
        phases: restored ? phaseSplit(spec.steps, record.steps, start, rto!.restoredAt!) : null,
      },
      rpo: {
        targetMs: o.rpoMs, actualMs: rpo?.actualMs ?? null, met: rpo === null ? null : rpo.actualMs <= o.rpoMs,
        acknowledgedWrites: rpo?.acknowledgedWrites ?? 0, lostWrites: rpo?.lostWrites ?? 0,
        unacknowledgedPresent: rpo?.unacknowledgedPresent ?? 0, holes: rpo?.holes ?? 0, newestSurvivorAckAt: iso(rpo?.newestSurvivorAckAt),
      },
      ...(notes.length > 0 && { note: notes.join('; ') }),
    };
  });
}
