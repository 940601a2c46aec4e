import { describe, expect, it } from 'vitest';
import { addSample, mergeRuns, type LedgerWrite, type SampleRun } from '../../model/record.js';
import { measureRpo, measureRto, sampleGaps } from '../../model/measure.js';
import { consumedBy } from '../../report/objectives.js';

/** Samples every 200ms from `from` to `to` with the given health. */
function sample(runs: SampleRun[], from: number, to: number, ok: boolean) {
  for (let t = from; t < to; t += 200) addSample(runs, ok, t, ok ? undefined : 'refused');
}

describe('RTO: first sample of a sustained healthy run after the outage, minus t0', () => {
  it('measures from t0 to the start of the sustained recovery', () => {
    const runs: SampleRun[] = [];
    sample(runs, 0, 10_000, true);
    sample(runs, 10_000, 25_000, false);
    sample(runs, 25_000, 26_000, true); // a flap shorter than the sustain window does not count
    sample(runs, 26_000, 27_000, false);
    sample(runs, 27_000, 40_000, true);
    const m = measureRto(runs, 9_950, 2000, 200);
    expect(m).toEqual({ detectedAt: 10_000, restoredAt: 27_000, actualMs: 17_050, resolutionMs: 200 });
  });

  it('is 0 when users never saw an outage', () => {
    const runs: SampleRun[] = [];
    sample(runs, 0, 20_000, true);
    expect(measureRto(runs, 5_000, 2000, 200).actualMs).toBe(0);
  });

  it('is null (not restored) when no sustained healthy run follows', () => {
    const runs: SampleRun[] = [];
    sample(runs, 0, 5_000, true);
    sample(runs, 5_000, 20_000, false);
    expect(measureRto(runs, 5_000, 2000, 200)).toMatchObject({ detectedAt: 5_000, restoredAt: null, actualMs: null });
  });

  it('merges probe segments without losing or duplicating samples', () => {
    const a: SampleRun[] = [];
    sample(a, 0, 2000, true);
    const b: SampleRun[] = [];
    sample(b, 2000, 3000, true);
    sample(b, 3000, 4000, false);
    mergeRuns(a, b);
    expect(a.map((r) => [r.ok, r.count])).toEqual([[true, 15], [false, 5]]);
  });
});

describe('RPO: writes actually lost, from the ledger', () => {
  // 100 writes, one every 100ms from t=0, each acknowledged 5ms later; t0 = 10_000.
  const writes: LedgerWrite[] = Array.from({ length: 100 }, (_, i) => [i + 1, i * 100, i * 100 + 5]);
  const t0 = 10_000;

  it('counts acknowledged writes missing after recovery, and RPO back to the newest survivor', () => {
    const m = measureRpo(writes, { at: 20_000, maxSeqChecked: 400, present: [[1, 70]] }, t0);
    expect(m.acknowledgedWrites).toBe(100);
    expect(m.lostWrites).toBe(30);
    expect(m.newestSurvivorAckAt).toBe(6_905);
    expect(m.actualMs).toBe(t0 - 6_905);
    expect(m.holes).toBe(0);
  });

  it('is 0 when nothing acknowledged was lost', () => {
    const m = measureRpo(writes, { at: 20_000, maxSeqChecked: 400, present: [[1, 100]] }, t0);
    expect(m).toMatchObject({ lostWrites: 0, actualMs: 0 });
  });

  it('separates holes inside the surviving history from the lost tail, and unacknowledged writes that landed', () => {
    const w: LedgerWrite[] = [...writes.slice(0, 99), [100, 9_900, -1]];
    const m = measureRpo(w, { at: 20_000, maxSeqChecked: 400, present: [[1, 40], [46, 60], [100, 100]] }, t0);
    expect(m.holes).toBe(5);
    expect(m.lostWrites).toBe(5 + 39);
    expect(m.unacknowledgedPresent).toBe(1);
    expect(m.actualMs).toBe(t0 - 5_905);
  });

  it('counts everything since the ledger started when no write survived', () => {
    const m = measureRpo(writes, { at: 20_000, maxSeqChecked: 400, present: [] }, t0);
    expect(m).toMatchObject({ lostWrites: 100, actualMs: t0 - 0 });
  });
});

describe('attribution of the outage window to steps', () => {
  it('gives each step its share of [t0, restored], largest first', () => {
    const steps = [
      { id: 'a', kind: 'wait', status: 'completed' as const, startedAt: 0, endedAt: 1000 },
      { id: 'b', kind: 'manual', status: 'completed' as const, startedAt: 1000, endedAt: 9000 },
      { id: 'c', kind: 'manual', status: 'completed' as const, startedAt: 9000, endedAt: 12_000 },
    ];
    expect(consumedBy(steps, 500, 10_000)).toEqual([{ step: 'b', ms: 8000 }, { step: 'c', ms: 1000 }, { step: 'a', ms: 500 }]);
  });
});

describe('sampleGaps', () => {
  it('reports stretches without samples longer than a failing sample could take, and nothing else', () => {
    const runs = [
      { ok: true, firstAt: 0, lastAt: 1000, count: 6 },
      { ok: false, firstAt: 2100, lastAt: 4000, count: 3, error: 'timeout' }, // one slow failing sample: not a gap
      { ok: true, firstAt: 16_000, lastAt: 17_000, count: 6 },                 // 12 s with nothing: a gap
    ];
    expect(sampleGaps(runs, 200, 1000)).toEqual([{ from: 4000, to: 16_000 }]);
    expect(sampleGaps([], 200, 1000)).toEqual([]);
  });
});

describe('a planned disruption after a failover: each objective counts its own losses', () => {
  it('judges the failover on the checkpoint read-back and the failback on writes that survived the failover', async () => {
    const { ledgerWindow } = await import('../../report/objectives.js');
    // Writes 1..10 before the failover; 9 and 10 were acknowledged and lost in it (checkpoint at 20s).
    // Writes 11..20 after it; the failback (from 30s) loses 15, and 3 (a survivor of the failover).
    const writes: LedgerWrite[] = [];
    for (let s = 1; s <= 10; s++) writes.push([s, s * 1000, s * 1000 + 5]);
    for (let s = 11; s <= 20; s++) writes.push([s, 20_000 + (s - 10) * 1000, 20_000 + (s - 10) * 1000 + 5]);
    const checkpoint = { at: 20_000, maxSeqChecked: 266, present: [[1, 8]] as [number, number][] };
    const final = { at: 45_000, maxSeqChecked: 276, present: [[1, 2], [4, 8], [11, 14], [16, 20]] as [number, number][] };
    const ledger = { writes, readback: final, checkpoints: [checkpoint] };

    const failover = ledgerWindow(ledger, 9_500)!;
    expect(failover.readback).toBe(checkpoint);
    expect(measureRpo(failover.writes, failover.readback, 9_500)).toMatchObject({ lostWrites: 2, lost: [9, 10] });

    const failback = ledgerWindow(ledger, 30_000)!;
    expect(failback.readback).toBe(final);
    expect(failback.writes.map(([s]) => s)).not.toContain(9);
    expect(measureRpo(failback.writes, failback.readback, 30_000)).toMatchObject({ lostWrites: 2, lost: [3, 15] });
    expect(ledgerWindow(ledger, 50_000)).toBeNull();
  });
});
