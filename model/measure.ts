// The checker: from what the probes saw, decide what the drill achieved. Pure functions only.
import type { LedgerReadback, LedgerWrite, SampleRun } from './record.js';

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
 * counts when it lasts `sustainMs` or runs until probing ended without a failure. No failed sample
 * after t0 means users never saw an outage: RTO 0.
 */
export function measureRto(runs: SampleRun[], t0: number, sustainMs: number, intervalMs: number): RtoMeasure {
  const after = runs.filter((r) => r.lastAt >= t0);
  const firstFail = after.find((r) => !r.ok);
  if (!firstFail) return { detectedAt: null, restoredAt: after.length ? t0 : null, actualMs: after.length ? 0 : null, resolutionMs: intervalMs };
  const detectedAt = Math.max(firstFail.firstAt, t0);
  const lastIndex = runs.length - 1;
  const recovery = runs.find((r, i) => r.ok && r.firstAt > detectedAt && (r.lastAt - r.firstAt >= sustainMs || (i === lastIndex && r.count > 1)));
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
