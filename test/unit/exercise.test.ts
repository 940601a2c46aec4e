// The exercise's pure parts: the sealed choice over the shipped pool, what a participant's view may
// hold, and the times the report derives (pauses left out).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseExercise, exerciseDrill, exerciseDrillId, poolFindings, poolTeam, tokenHash, type ExerciseRecord } from '../../model/exercise.js';
import { participantView } from '../../model/exercise-view.js';
import type { DrillRecord } from '../../model/record.js';
import { toDrillSpec, type DrillSpec } from '../../model/spec.js';
import { validateScenarioFile } from '../../model/validate.js';
import { exerciseReport } from '../../report/exercise.js';

const dir = 'scenarios/unannounced';
const pool: DrillSpec[] = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort().map(async (f) => {
  const v = await validateScenarioFile(join(dir, f));
  if (!v.ok) throw new Error(f);
  return toDrillSpec(v.scenario, 'pool', join(dir, f), 'people');
}));
const WINDOW = 30 * 60_000;

describe('the sealed choice', () => {
  it('is a function of the seed: the same seed chooses the same, others differ, and every pool entry gets its turn', () => {
    expect(pool.length).toBeGreaterThanOrEqual(6);
    expect(chooseExercise(pool, 42, WINDOW)).toEqual(chooseExercise(pool, 42, WINDOW));
    expect(chooseExercise(pool, 42, WINDOW)).not.toEqual(chooseExercise(pool, 43, WINDOW));
    const choices = [...Array(300).keys()].map((s) => chooseExercise(pool, s, WINDOW));
    expect(new Set(choices.map((c) => c.scenario))).toEqual(new Set(pool.map((p) => p.scenario)));
    for (const c of choices) {
      expect(c.momentMs).toBeGreaterThanOrEqual(0);
      expect(c.momentMs).toBeLessThan(WINDOW);
      expect(c.momentMs % 1000).toBe(0);
      expect(c.faults.length).toBeGreaterThan(0);
      for (const f of c.faults) expect(f.targets.every((t) => pool[c.poolIndex]!.topology.containers[t])).toBe(true);
    }
  });

  it('runs as a drill whose id and team say nothing of the choice', () => {
    const choice = chooseExercise(pool, 7, WINDOW);
    const team = poolTeam(pool);
    const spec = exerciseDrill('ex-1', { pool: [], windowMs: WINDOW, facilitator: 'fran', team, access: { facilitator: tokenHash('f'), participants: {} }, results: 'r' }, pool, choice);
    expect(spec.drillId).toBe('ex-1.drill');
    expect(spec.operator).toBe('people');
    expect(spec.seed).toBe(choice.drillSeed);
    expect(spec.participants).toEqual(team);
    expect(spec.scenario).toBe(choice.scenario);
  });

  it('finds a pool that would give its choice away or stall; the shipped pool is neither', () => {
    expect(poolFindings(pool, poolTeam(pool))).toEqual([]);
    const odd = structuredClone(pool[1]!);
    odd.probes = { 'db-up': odd.probes['orders-up']! };
    expect(poolFindings([pool[0]!, odd], poolTeam(pool))[0]).toMatch(/its availability probes \(db-up\) differ from .*\(orders-up, sessions-up\)/);
    expect(poolFindings(pool, { alice: ['operator'] }).join('\n')).toMatch(/needs the role "chief-officer", which no participant holds/);
  });

  it('names a scheduled firing\'s drill as Docker takes it', () => {
    expect(exerciseDrillId('annual-run-2027-03-01T09:00:00Z')).toBe('annual-run-2027-03-01T09-00-00Z.drill');
  });

  it('keeps only hashes of tokens', () => {
    expect(tokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(tokenHash('abd')).not.toBe(tokenHash('abc'));
  });
});

function exercised(): DrillRecord {
  const spec = exerciseDrill('ex-2', { pool: [], windowMs: WINDOW, facilitator: 'fran', team: poolTeam(pool), access: { facilitator: 'x', participants: {} }, results: 'r' },
    pool, chooseExercise(pool, 3, WINDOW));
  const t0 = 1_000_000;
  const ex: ExerciseRecord = {
    exerciseId: 'ex-2', facilitator: 'fran', windowMs: WINDOW, choice: spec.exercise!.choice, injects: [], unavailable: [],
    pauses: [{ at: t0 + 10_000, until: t0 + 40_000, reason: 'fire alarm' }],
    detected: { at: t0 + 50_000, by: 'alice' },
  };
  const fault = spec.exercise!.choice.faults[0]!;
  return {
    drillId: spec.drillId, spec, status: 'running', startedAt: t0 - 60_000, t0, seed: spec.seed,
    steps: [{ id: fault.step, kind: 'fault', status: 'completed', effectAt: t0 }, { id: 'fail-over', kind: 'manual', status: 'waiting' }],
    timeline: [{ at: t0, type: 'fault.effect', step: fault.step, detail: `${fault.type} on ${fault.targets[0]}` }],
    availability: { 'orders-up': [{ ok: true, firstAt: t0 - 50_000, lastAt: t0 - 100, count: 10 }, { ok: false, firstAt: t0 + 150, lastAt: t0 + 60_000, count: 30, error: 'HTTP 503' }] },
    ledger: {}, breakdowns: [], notifications: [],
    faults: [{ step: fault.step, type: fault.type as never, target: fault.targets[0]!, fault: { type: fault.type as never, target: fault.targets[0]! }, effectAt: t0 }],
    exercise: ex,
  };
}

describe('a participant\'s view', () => {
  const waiting = { id: 'fail-over', kind: 'manual' as const, text: 'Run the failover runbook', role: 'operator', since: 1_070_000 };

  it('holds symptoms and alerts, not the scenario, its faults, targets, moment or seed', () => {
    const record = exercised();
    const v = participantView({ record, ex: record.exercise!, name: 'alice', paused: false, waiting });
    const text = JSON.stringify(v);
    const c = record.exercise!.choice;
    for (const secret of [c.scenario, c.scenarioFile!, ...c.faults.map((f) => f.step), ...c.faults.flatMap((f) => f.targets.map((t) => `"${t}"`)), `"${c.faults[0]!.type}"`, 'momentMs', 'seed', 'fran']) {
      expect(text, secret).not.toContain(secret);
    }
    expect(v.symptoms.find((s) => s.probe === 'orders-up')).toMatchObject({ state: 'failing', error: 'HTTP 503' });
    expect(v.alerts).toEqual([{ at: 1_000_150, probe: 'orders-up', text: 'orders-up failing: HTTP 503' }]);
    expect(v.roles).toEqual(['operator']);
    // The runbook opens once the incident is declared.
    expect(v.waiting).toBeNull();
    record.exercise!.declared = { at: 1_060_000, by: 'cho' };
    expect(participantView({ record, ex: record.exercise!, name: 'alice', paused: true, waiting })).toMatchObject({ status: 'paused', waiting: { id: 'fail-over' } });
  });

  it('shows the reveal only once the facilitator has revealed', () => {
    const record = exercised();
    record.exercise!.revealedAt = 1_100_000;
    const v = participantView({ record, ex: record.exercise!, name: 'alice', paused: false, waiting: null });
    expect(v.revealed).toMatchObject({ scenario: record.exercise!.choice.scenario, t0: 1_000_000 });
  });
});

describe('the exercise in the report', () => {
  it('counts time to detect and to declare from t0 without the paused time', () => {
    const record = exercised();
    record.exercise!.declared = { at: 1_090_000, by: 'cho' };
    const r = exerciseReport(record)!;
    expect(r.timeToSymptomMs).toBe(150);
    expect(r.timeToDetectMs).toBe(50_000 - 30_000);
    expect(r.timeToDeclareMs).toBe(90_000 - 30_000);
    expect(r).toMatchObject({ detectedBy: 'alice', declaredBy: 'cho', pausedMs: 30_000 });
    expect(r.reveal.faults[0]).toMatchObject({ effectAt: 1_000_000 });
  });
});
