// Each objective of a drill against what the drill measured: its RTO to service from the availability
// probe and to data from the ledger (or a data check step), its RPO from the write ledger, its RLO
// from the service users had once it was back, where the outage time went, and why a figure could not
// be measured.
// Kept out of report/build.ts: the follow-up checks (report/followups.ts) judge these results, and the
// report that carries both takes them from here as well.
import type { DrillRecord, LedgerReadback, LedgerWrite, StepResult } from '../model/record.js';
import type { ObjectiveSpec } from '../model/spec.js';
import { formatDuration } from '../model/duration.js';
import { dataReadback, judgeRto, measureLevel, measureRpo, measureRto, notLostBefore, parseRlo, readbacksOf, sampleGaps } from '../model/measure.js';
import { phaseSplit, type PhaseSplit } from './people.js';
import { iso } from './time.js';

export type ObjectiveResult = {
  system: string;
  /** a planned disruption measured from this step's start instead of t0 (e.g. the failback) */
  from?: string;
  rto: { targetMs: number;
    /** the figure judged against the target: until service and data were both back (the later of the two) */
    actualMs: number | null; met: boolean | null; detectedAt: string | null;
    /** service restored: the first sample of the sustained healthy run */
    restoredAt: string | null; resolutionMs: number | null;
    toServiceMs: number | null;
    /** data restored: the ledger's read-back that showed the acknowledged writes back, or the objective's data check step */
    toDataMs: number | null; dataRestoredAt: string | null;
    /** what showed the data back ("ledger orders-ledger", "step check-mailboxes"), null when nothing could */
    dataBy: string | null;
    /** why it was missed or not measured; why RTO to data was not measured */
    reason?: string; dataReason?: string;
    /** the steps that ran inside the outage window, largest share first: where the RTO went */
    consumedBy: { step: string; ms: number }[];
    /** the same window by phase: detect, decide, recover, verify (and time between steps) */
    phases: PhaseSplit | null };
  rpo: { targetMs: number; actualMs: number | null; met: boolean | null; acknowledgedWrites: number; lostWrites: number;
    unacknowledgedPresent: number; holes: number; newestSurvivorAckAt: string | null; reason?: string };
  /** recovery level: the share of service users had from the restoration on, against the declared share */
  rlo: { target: string; targetShare: number | null; actualShare: number | null; met: boolean | null;
    samples: number; healthySamples: number; writes: { sent: number; acknowledged: number } | null; reason?: string };
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
 * What an objective's RPO is judged on: the read-back that showed its data back (model/measure.ts
 * dataReadback; the first after its disruption began, unless a later one found more), and only the
 * writes sent before it and not already lost earlier (present at the read-back before, or written
 * since): a write the failover lost is the failover's, not the failback's.
 */
export function ledgerWindow(ledger: DrillRecord['ledger'][string], start: number): { writes: LedgerWrite[]; readback: LedgerReadback } | null {
  const all = readbacksOf(ledger);
  // A read-back taken while the data was still coming back is not the loss: the one that showed it back is.
  const readback = dataReadback(ledger.writes, all, start);
  if (!readback) return null;
  const ours = notLostBefore(all, start);
  // Writes sent after the read-back are for a later one to judge.
  return { writes: ledger.writes.filter(([seq, sentAt]) => sentAt < readback.at && ours(seq, sentAt)), readback };
}

/** The ledger an objective of the record declares, if any: without one it has no RPO to measure. */
export const ledgerOf = (record: DrillRecord, system: string): string | undefined => record.spec.objectives.find((x) => x.system === system)?.ledger;

/** Every objective of the drill, as measured. */
export function objectiveResults(record: DrillRecord): ObjectiveResult[] {
  return record.spec.objectives.map((o) => objectiveResult(record, o));
}

function objectiveResult(record: DrillRecord, o: ObjectiveSpec): ObjectiveResult {
  const { spec, t0 } = record;
  const avail = spec.probes[o.availability];
  const runs = record.availability[o.availability] ?? [];
  const notes: string[] = [];
  // The disruption this objective is measured from: the fault's t0, or the start of a planned one.
  const fromStep = o.from === undefined ? undefined : record.steps.find((st) => st.id === o.from);
  const start = o.from === undefined ? t0 : fromStep?.startedAt ?? null;
  if (start === null) notes.push(o.from === undefined ? 'the disaster never took effect (no t0), so there was no outage to measure' : `step ${o.from} never ran, so there was nothing to measure from`);
  if (avail?.kind === 'availability') notes.push(...gapNotes(record, o.availability, avail.intervalMs, avail.timeoutMs));
  const completed = record.status === 'completed';
  const service = start !== null && avail?.kind === 'availability'
    ? measureRto(runs, start, avail.sustainMs, avail.intervalMs, completed ? 'completed' : 'cut short') : null;

  const ledger = o.ledger ? record.ledger[o.ledger] : undefined;
  const window = ledger && start !== null ? ledgerWindow(ledger, start) : null;
  const rpo = window && start !== null ? measureRpo(window.writes, window.readback, start) : null;
  const since = o.from === undefined ? 't0' : `step ${o.from} started`;
  const rpoReason = o.ledger && start !== null && !window ? `ledger ${o.ledger} was never read back after ${since} (no verify step reached it)` : undefined;
  const found = start === null ? null : dataMilestone(record, o, start, window?.readback.at ?? null, since);
  // Users saw no outage and the first read-back after the disruption already held every write: the
  // data was never missing, so that read-back's time is no recovery time (a WAN cut that site A rode out).
  const firstAfter = ledger && start !== null ? readbacksOf(ledger).find((rb) => rb.at >= start) : undefined;
  const neverMissing = o.dataCheck === undefined && service?.detectedAt == null && window !== null && firstAfter !== undefined && window.readback.at === firstAfter.at;
  const data = neverMissing ? { at: null, by: found?.by ?? null, reason: `no data was seen missing: the first read-back of ledger ${o.ledger} after ${since} held every acknowledged write` } : found;

  // Judged on the later of service and data back; on service alone when nothing could show the data.
  const serviceAt = service?.restoredAt ?? null;
  const restoredAt = serviceAt === null ? null : Math.max(serviceAt, data?.at ?? serviceAt);
  const last = runs[runs.length - 1]?.lastAt;
  const observedUntil = start !== null && last !== undefined && last >= start ? last : null;
  const judged = start === null || service === null ? { met: null } : judgeRto({
    start, targetMs: o.rtoMs, restoredAt, observedUntil, completed, since,
    answeringAt: service.detectedAt === null ? null : runs.find((r) => r.ok && r.firstAt > service.detectedAt!)?.firstAt ?? null,
    // Data read back after the start is a recovery seen, even where users saw no outage.
    outageSeen: service.detectedAt !== null || data?.at != null,
  });
  // Service that came back while probes sampled in bursts was seen back only at the next burst.
  const burstMs = spec.sparseSampling?.everyMs ?? 600_000;
  const sparseRestore = serviceAt !== null && sparseWindows(record).some((w) => serviceAt >= w.from && serviceAt <= w.to + PROBE_BURST_SLACK_MS);
  if (sparseRestore) notes.push(`service came back while probes sampled in bursts: the RTO is known to within ${formatDuration(burstMs)}, not the probe interval`);
  const outage = start !== null && restoredAt !== null && judged.met !== null;
  const ms = (at: number | null | undefined) => (start === null || at == null ? null : at - start);
  return {
    system: o.system, ...(o.from !== undefined && { from: o.from }),
    rto: {
      targetMs: o.rtoMs, actualMs: judged.met === null ? null : ms(restoredAt), met: judged.met,
      detectedAt: iso(service?.detectedAt), restoredAt: judged.met === null ? null : iso(serviceAt), resolutionMs: sparseRestore ? Math.max(burstMs, service?.resolutionMs ?? 0) : service?.resolutionMs ?? null,
      toServiceMs: judged.met === null ? null : ms(serviceAt), toDataMs: ms(data?.at), dataRestoredAt: iso(data?.at), dataBy: data?.by ?? null,
      ...(judged.reason !== undefined && { reason: judged.reason }), ...(data?.reason !== undefined && { dataReason: data.reason }),
      consumedBy: outage ? consumedBy(record.steps, start, restoredAt) : [],
      phases: outage ? phaseSplit(spec.steps, record.steps, start, restoredAt) : null,
    },
    rpo: {
      targetMs: o.rpoMs, actualMs: rpo?.actualMs ?? null, met: rpo === null ? null : rpo.actualMs <= o.rpoMs,
      acknowledgedWrites: rpo?.acknowledgedWrites ?? 0, lostWrites: rpo?.lostWrites ?? 0,
      unacknowledgedPresent: rpo?.unacknowledgedPresent ?? 0, holes: rpo?.holes ?? 0, newestSurvivorAckAt: iso(rpo?.newestSurvivorAckAt),
      ...(rpoReason !== undefined && { reason: rpoReason }),
    },
    rlo: levelOf(record, o, judged.met === null ? null : serviceAt, observedUntil),
    ...(notes.length > 0 && { note: notes.join('; ') }),
  };
}

function gapNotes(record: DrillRecord, probe: string, intervalMs: number, timeoutMs: number): string[] {
  const sparse = sparseWindows(record);
  return sampleGaps(record.availability[probe] ?? [], intervalMs, timeoutMs)
    .filter((x) => !sparse.some((w) => x.from >= w.from - 1000 && x.to <= w.to + PROBE_BURST_SLACK_MS))
    .map((g) => `${probe} has no samples from ${iso(g.from)} to ${iso(g.to)} (${formatDuration(g.to - g.from)}; the orchestrator was not sampling)`);
}

/**
 * When the data was back: the objective's data check step completing, else the ledger's read-back that
 * showed the acknowledged writes back; neither declared, RTO to data is not measured.
 */
function dataMilestone(record: DrillRecord, o: ObjectiveSpec, start: number, readbackAt: number | null, since: string): { at: number | null; by: string | null; reason?: string } {
  if (o.dataCheck !== undefined) {
    const by = `step ${o.dataCheck}`;
    const step = record.steps.find((s) => s.id === o.dataCheck);
    if (step?.status === 'completed' && step.endedAt !== undefined && step.endedAt >= start) return { at: step.endedAt, by };
    const what = !step ? 'is not in this drill' : step.status === 'completed' ? `completed before ${since}` : step.status === 'pending' ? 'never ran' : `ended ${step.status}`;
    return { at: null, by, reason: `its data check, step ${o.dataCheck}, ${what}` };
  }
  if (o.ledger !== undefined) {
    const by = `ledger ${o.ledger}`;
    return readbackAt !== null ? { at: readbackAt, by } : { at: null, by, reason: `ledger ${o.ledger} was never read back after ${since}` };
  }
  return { at: null, by: null, reason: 'no ledger and no data check step declared, so nothing showed the data back' };
}

/**
 * The level of service from the restoration until probing ended or another planned disruption began
 * (a failback is its own objective's outage, not this one's degraded service).
 */
function levelOf(record: DrillRecord, o: ObjectiveSpec, restoredAt: number | null, observedUntil: number | null): ObjectiveResult['rlo'] {
  const targetShare = parseRlo(o.rlo);
  const base = { target: o.rlo, targetShare, actualShare: null, met: null, samples: 0, healthySamples: 0, writes: null };
  if (targetShare === null) return { ...base, reason: `"${o.rlo}" is not a share of service the drill can measure: write it as a percentage (100%, 50%)` };
  if (restoredAt === null || observedUntil === null) return { ...base, reason: 'the service was not seen restored, so there was no level of service to measure' };
  const next = record.spec.objectives.flatMap((x) => {
    const at = x.from === undefined ? undefined : record.steps.find((s) => s.id === x.from)?.startedAt;
    return at !== undefined && at > restoredAt ? [at] : [];
  });
  const until = Math.min(observedUntil, ...next);
  const writes = o.ledger ? record.ledger[o.ledger]?.writes ?? [] : null;
  const level = measureLevel(record.availability[o.availability] ?? [], writes, restoredAt, until);
  const measured = { ...base, samples: level.samples, healthySamples: level.healthy, writes: level.writes };
  if (level.share === null) return { ...measured, reason: 'no availability sample after the restoration' };
  // Shares are compared to a tenth of a percent: 99.96% of samples healthy is not a miss of 100%.
  const met = Math.round(level.share * 1000) >= Math.round(targetShare * 1000);
  return { ...measured, actualShare: level.share, met, ...(!met && { reason: `${percent(level.share)} of service from the restoration on, against ${o.rlo}` }) };
}

/** A share as people write an RLO: 100%, 97.5%. */
export const percent = (share: number | null): string => (share === null ? '—' : `${Number((share * 100).toFixed(1))}%`);
