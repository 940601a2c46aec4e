// The checker: from what the probes saw, decide what the drill achieved. Pure functions only.
import type { LedgerReadback, LedgerWrite, SampleRun } from './record.js';
import { formatDuration as d } from './duration.js';

export type RtoMeasure = {
  /** first failed sample at or after t0: the outage as users met it */
  detectedAt: number | null;
  /** first sample of the sustained healthy run that ended the outage */
  restoredAt: number | null;
  actualMs: number | null;
  /** sampling interval: the resolution of both instants */
  resolutionMs: number;
};

/**
 * RTO actual = first sample of a sustained healthy run after the outage, minus t0. A healthy run
 * counts when it lasts `sustainMs`, or runs until a completed drill's probing ended without a failure
 * (a drill cut short stopped probing early: its last run proves only what it lasted). No failed sample
 * after t0 means users never saw an outage: RTO 0 (see judgeRto for when that is not yet known).
 */
export function measureRto(runs: SampleRun[], t0: number, sustainMs: number, intervalMs: number, probing: 'completed' | 'cut short' = 'completed'): RtoMeasure {
  const after = runs.filter((r) => r.lastAt >= t0);
  const firstFail = after.find((r) => !r.ok);
  if (!firstFail) return { detectedAt: null, restoredAt: after.length ? t0 : null, actualMs: after.length ? 0 : null, resolutionMs: intervalMs };
  const detectedAt = Math.max(firstFail.firstAt, t0);
  const lastIndex = runs.length - 1;
  const ranToTheEnd = (r: SampleRun, i: number) => probing === 'completed' && i === lastIndex && r.count > 1;
  const recovery = runs.find((r, i) => r.ok && r.firstAt > detectedAt && (r.lastAt - r.firstAt >= sustainMs || ranToTheEnd(r, i)));
  if (!recovery) return { detectedAt, restoredAt: null, actualMs: null, resolutionMs: intervalMs };
  return { detectedAt, restoredAt: recovery.firstAt, actualMs: recovery.firstAt - t0, resolutionMs: intervalMs };
}

export type RpoMeasure = {
  acknowledgedWrites: number;
  lostWrites: number;
  /** present in the store though the writer never got an acknowledgement */
  unacknowledgedPresent: number;
  /** acknowledged writes lost from inside the surviving history (older than a survivor), not its tail */
  holes: number;
  /** acknowledgement time of the newest write before t0 that survived */
  newestSurvivorAckAt: number | null;
  actualMs: number;
  lost: number[];
};

export function presentSet(readback: LedgerReadback): (seq: number) => boolean {
  const ranges = readback.present;
  return (seq) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = ranges[mid]!;
      if (seq < a) hi = mid - 1;
      else if (seq > b) lo = mid + 1;
      else return true;
    }
    return false;
  };
}

/**
 * Lost = acknowledged and missing after recovery. RPO actual = t0 minus the acknowledgement time of
 * the newest write that survived, when any later acknowledged write was lost; 0 when none was.
 */
export function measureRpo(writes: LedgerWrite[], readback: LedgerReadback, t0: number): RpoMeasure {
  const has = presentSet(readback);
  let acknowledged = 0;
  let unacknowledgedPresent = 0;
  const lost: number[] = [];
  let newestSurvivorAckAt: number | null = null;
  let newestSurvivorSeq = 0;
  let firstSentAt: number | null = null;
  for (const [seq, sentAt, ackAt] of writes) {
    firstSentAt ??= sentAt;
    const present = has(seq);
    if (ackAt < 0) {
      if (present) unacknowledgedPresent++;
      continue;
    }
    acknowledged++;
    if (!present) lost.push(seq);
    else if (ackAt <= t0 && (newestSurvivorAckAt === null || ackAt > newestSurvivorAckAt)) {
      newestSurvivorAckAt = ackAt;
      newestSurvivorSeq = seq;
    }
  }
  const holes = lost.filter((seq) => seq < newestSurvivorSeq).length;
  const ackOf = new Map(writes.map(([seq, , ackAt]) => [seq, ackAt]));
  const lostAfterSurvivor = lost.some((seq) => newestSurvivorAckAt === null || ackOf.get(seq)! > newestSurvivorAckAt);
  const since = newestSurvivorAckAt ?? firstSentAt ?? t0;
  const actualMs = lostAfterSurvivor ? Math.max(0, t0 - since) : 0;
  return { acknowledgedWrites: acknowledged, lostWrites: lost.length, unacknowledgedPresent, holes, newestSurvivorAckAt, actualMs, lost };
}

/**
 * Stretches with no probe sample at all (the worker or the Temporal server was down, say): what the
 * service did then is unknown, and the report says so instead of bridging them silently.
 */
export function sampleGaps(runs: SampleRun[], intervalMs: number, timeoutMs: number): { from: number; to: number }[] {
  // A failing sample can take its whole timeout, and segments join with a little slack.
  const tolerance = timeoutMs + intervalMs * 5 + 1000;
  const gaps: { from: number; to: number }[] = [];
  for (let i = 1; i < runs.length; i++) {
    const from = runs[i - 1]!.lastAt;
    const to = runs[i]!.firstAt;
    if (to - from > tolerance) gaps.push({ from, to });
  }
  return gaps;
}

/** An objective's verdict: met, missed, or null when the drill never showed which (not measured). */
export type Judgement = { met: boolean | null; reason?: string };

/**
 * Judges an RTO only on what was seen. Restored (service, and data when something showed it) within
 * the target: met; later, or still down when the target ran out: missed. A drill that ended before
 * either could be seen did not measure it, and neither did one cut short before users were seen to
 * have service through the whole target when no outage showed at all (the fault may not have bitten yet).
 */
export function judgeRto(o: {
  start: number; targetMs: number; outageSeen: boolean; restoredAt: number | null;
  /** last availability sample: how far the drill could see */
  observedUntil: number | null; completed: boolean;
  /** the start as a reader knows it: "t0", "step failback started" */
  since: string;
  /** the first healthy sample after the outage, sustained or not: a service already answering when the target ran out did not miss it */
  answeringAt?: number | null;
}): Judgement {
  const seen = o.observedUntil === null ? null : o.observedUntil - o.start;
  const rto = `its RTO of ${d(o.targetMs)}`;
  if (o.restoredAt !== null) {
    if (!o.outageSeen && !o.completed && (seen ?? 0) < o.targetMs) {
      return { met: null, reason: `the drill ended ${d(seen)} after ${o.since} with no outage seen yet, before ${rto} ran out` };
    }
    return { met: o.restoredAt - o.start <= o.targetMs };
  }
  if (seen === null) return { met: null, reason: `no availability sample after ${o.since}` };
  const deadline = o.start + o.targetMs;
  if (seen > o.targetMs && (o.answeringAt == null || o.answeringAt > deadline)) return { met: false, reason: `not restored when ${rto} ran out (last seen ${d(seen)} after ${o.since})` };
  if (seen > o.targetMs) return { met: null, reason: `answering again ${d(o.answeringAt! - o.start)} after ${o.since}, but the drill ended before that was seen to hold` };
  return { met: null, reason: `the drill ended ${d(seen)} after ${o.since}, before the service was seen restored and before ${rto} ran out` };
}

/** Every read-back of a ledger, oldest first: the checkpoints taken mid-drill, then the last. */
export const readbacksOf = (ledger: { readback?: LedgerReadback; checkpoints?: LedgerReadback[] }): LedgerReadback[] =>
  [...(ledger.checkpoints ?? []), ...(ledger.readback ? [ledger.readback] : [])];

/**
 * The writes a disruption from `start` is answerable for: all of them, unless a read-back came before
 * it; then those sent since, and those that read-back still held (a write missing there was lost
 * earlier: a failover's loss, not the failback's).
 */
export function notLostBefore(readbacks: LedgerReadback[], start: number): (seq: number, sentAt: number) => boolean {
  const baseline = readbacks.filter((rb) => rb.at < start).pop();
  if (!baseline) return () => true;
  const held = presentSet(baseline);
  return (seq, sentAt) => sentAt >= baseline.at || held(seq);
}

/**
 * The read-back that showed the data back: the first one at or after `start` that holds every
 * acknowledged write sent before it and kept for good (still present at the last read-back; one
 * missing there too is lost, the RPO's business). `readbacks` oldest first; writes already lost before
 * `start` (missing at the read-back before it, a failover's loss seen by the failback) do not count.
 */
export function dataReadback(writes: LedgerWrite[], readbacks: LedgerReadback[], start: number): LedgerReadback | null {
  const after = readbacks.filter((rb) => rb.at >= start);
  const last = after[after.length - 1];
  if (!last) return null;
  const ours = notLostBefore(readbacks, start);
  const kept = presentSet(last);
  const due = writes.filter(([seq, sentAt, ackAt]) => ackAt >= 0 && sentAt < start && ours(seq, sentAt) && kept(seq));
  return after.find((rb) => { const has = presentSet(rb); return due.every(([seq]) => has(seq)); }) ?? last;
}

/** A recovery level objective as a share of full service: "100%", "50%", "99.5 %". */
export function parseRlo(rlo: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(rlo);
  const share = m ? Number(m[1]) / 100 : NaN;
  return share >= 0 && share <= 1 ? share : null;
}

export type LevelMeasure = {
  /** availability samples in the window, and how many were healthy */
  samples: number; healthy: number;
  /** ledger writes sent in the window, and how many were acknowledged (null: no ledger) */
  writes: { sent: number; acknowledged: number } | null;
  /** the lower of the two shares: service that answers but refuses writes is not full service */
  share: number | null;
};

/** The level of service from `from` to `to`: the share of probe samples healthy and of writes acknowledged. */
export function measureLevel(runs: SampleRun[], writes: LedgerWrite[] | null, from: number, to: number): LevelMeasure {
  let samples = 0;
  let healthy = 0;
  for (const r of runs) {
    if (r.lastAt < from || r.firstAt > to) continue;
    // Runs are whole samples; one straddling an edge is counted by the share of it inside.
    const span = r.lastAt - r.firstAt;
    const n = span === 0 ? r.count : Math.max(1, Math.round(r.count * (Math.min(r.lastAt, to) - Math.max(r.firstAt, from)) / span));
    samples += n;
    if (r.ok) healthy += n;
  }
  const inWindow = writes?.filter(([, sentAt]) => sentAt >= from && sentAt <= to) ?? null;
  // Counted from the first write acknowledged: the writer's own reconnect after the restoration is not
  // the service's level. None acknowledged at all is a read-only service.
  const first = inWindow ? inWindow.findIndex(([, , ackAt]) => ackAt >= 0) : -1;
  const counted = inWindow && (first < 0 ? inWindow : inWindow.slice(first));
  const w = counted && { sent: counted.length, acknowledged: counted.filter(([, , ackAt]) => ackAt >= 0).length };
  const shares = [samples ? healthy / samples : null, w && w.sent ? w.acknowledged / w.sent : null].filter((x): x is number => x !== null);
  return { samples, healthy, writes: w, share: samples ? Math.min(...shares) : null };
}
