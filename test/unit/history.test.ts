// `drill history` on reports built from DrillRecords of real drills, varied the way a year of drills
// varies them: later dates, a tightened RTO that the same recovery now misses, breakdowns again.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../model/record.js';
import { buildReport, type Report } from '../../report/build.js';
import { asReport, buildHistory, renderHistory } from '../../report/history.js';

const load = async (name: string): Promise<DrillRecord> => JSON.parse(await readFile(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const restore = await load('restore-record.json');
const interactive = await load('interactive-record.json');

const DAY = 86_400_000;
/** The same drill run again `days` later, changed by `change`. */
function again(record: DrillRecord, drillId: string, days: number, change: (r: DrillRecord) => void = () => {}): Report {
  const r = structuredClone(record);
  r.drillId = drillId;
  r.startedAt += days * DAY;
  change(r);
  return buildReport(r);
}

// Restore-from-backup: the first drill meets its RTO (3.9s of 2m: service back at 1.3s, data read back at
// 3.9s); after the plan tightened RTO to 1s the next drill misses it; a third also lost its RPO budget
// (5.9s against a 1s target).
const r1 = buildReport(restore);
const r2 = again(restore, 'restore-2', 30, (r) => { r.spec.objectives[0]!.rtoMs = 1000; });
const r3 = again(restore, 'restore-3', 60, (r) => { r.spec.objectives[0]!.rpoMs = 1000; });
// Interactive: a person took 19.7s on a step expected to take 3s, and the runbook was missing a host.
const i1 = buildReport(interactive);
const i2 = again(interactive, 'it-1500', 7, (r) => {
  r.steps.find((s) => s.id === 'restart')!.durationMs = 25_000;
  r.breakdowns.push({ ...r.breakdowns[0]!, code: 'staff-unavailable', note: 'nobody on call', effect: 'enlarged', lostMs: 60_000 });
  r.breakdowns.push({ ...r.breakdowns[0]!, lostMs: 2_000 });
});

describe('drill history', () => {
  it('lists each drill of a scenario oldest first, RTO and RPO actual against the target it had then', () => {
    const h = buildHistory([r3, i2, r1, i1, r2]);
    expect(h.scenarios.map((s) => [s.scenario, s.drills])).toEqual([['interactive', 2], ['restore-from-backup', 3]]);
    const restoreHistory = h.scenarios[1]!;
    expect(restoreHistory.firstAt).toBe(r1.startedAt);
    expect(restoreHistory.lastAt).toBe(r3.startedAt);
    const orders = restoreHistory.systems[0]!;
    expect(orders.system).toBe('orders');
    expect(orders.drills.map((d) => [d.drillId, d.rto.targetMs, d.rto.actualMs, d.rto.verdict, d.rpo?.targetMs, d.rpo?.verdict])).toEqual([
      [restore.drillId, 120_000, 3914, 'met', 10_000, 'met'],
      ['restore-2', 1000, 3914, 'MISSED', 10_000, 'met'],
      ['restore-3', 120_000, 3914, 'met', 1000, 'MISSED'],
    ]);
    expect(orders.drills[0]!.rpo).toEqual({ targetMs: 10_000, actualMs: 5889, verdict: 'met', lostWrites: 116 });
  });

  it('says an objective without a ledger has no RPO, rather than calling it unmeasured', () => {
    const web = buildHistory([i1]).scenarios[0]!.systems[0]!;
    expect(web.drills[0]!.rpo).toBeNull();
    expect(web.drills[0]!.rto).toEqual({ targetMs: 300_000, actualMs: 41_707, verdict: 'met' });
  });

  it('counts breakdowns by code across the drills of a scenario, most frequent first', () => {
    const h = buildHistory([i1, i2, r1]);
    expect(h.scenarios.find((s) => s.scenario === 'restore-from-backup')!.breakdowns).toEqual([]);
    expect(h.scenarios.find((s) => s.scenario === 'interactive')!.breakdowns).toEqual([
      { code: 'procedure-missing', cause: 'procedures missing or unclear', count: 3, drills: 2, lostMs: 3924 * 2 + 2000, effects: { enlarged: 0, prolonged: 3, none: 0 } },
      { code: 'staff-unavailable', cause: 'own staff unavailable', count: 1, drills: 1, lostMs: 60_000, effects: { enlarged: 1, prolonged: 0, none: 0 } },
    ]);
  });

  it('ranks steps by their slowest run and by their worst overrun of the expected time', () => {
    const s = buildHistory([i1, i2]).scenarios[0]!;
    expect(s.slowestSteps.map((x) => [x.step, x.maxMs, x.slowestDrill])).toEqual([
      ['restart', 25_000, 'it-1500'], ['declare', 16_884, 'it-1500'], ['tell-users', 5154, 'it-1500'], ['outage', 779, 'it-1500'], ['healthy', 491, 'it-1500'],
    ]);
    expect(s.slowestSteps[0]).toMatchObject({ kind: 'manual', runs: 2, medianMs: Math.round((19_688 + 25_000) / 2), expectedMs: 3000 });
    // Only restart declares an expectation, and it overran it both times.
    expect(s.overrunSteps).toEqual([expect.objectContaining({ step: 'restart', overruns: 2, worstOverrunMs: 22_000, worstOverrunDrill: 'it-1500' })]);
    // Restore's manual steps finished well inside their estimates.
    expect(buildHistory([r1, r2]).scenarios[0]!.overrunSteps).toEqual([]);
    expect(buildHistory([i1, i2], { limit: 2 }).scenarios[0]!.slowestSteps).toHaveLength(2);
  });

  it('keeps only the scenario asked for', () => {
    expect(buildHistory([r1, i1, r2], { scenario: 'restore-from-backup' }).scenarios.map((s) => [s.scenario, s.drills])).toEqual([['restore-from-backup', 2]]);
    expect(buildHistory([r1, i1], { scenario: 'failover' }).scenarios).toEqual([]);
  });

  it('renders a row per drill with met or MISSED, the breakdowns and the slow steps', () => {
    const text = renderHistory(buildHistory([r1, r2, r3, i1, i2]));
    expect(text).toContain('restore-from-backup: 3 drills, 2026-11-22 00:47:34Z to 2027-01-21 00:47:34Z');
    expect(text).toContain('orders: objectives missed in 2 of 3 drills');
    expect(text).toMatch(/^ {4}restore-2 +2026-12-22 00:47:34Z +completed +3\.9s +1\.0s +MISSED +5\.9s +10\.0s +met +116$/m);
    expect(text).toMatch(/^ {4}restore-3 .* 3\.9s +2m00s +met +5\.9s +1\.0s +MISSED +116$/m);
    expect(text).toMatch(/^ {4}it-1432 .* 41\.7s +5m00s +met +no ledger$/m);
    expect(text).toMatch(/^ {4}procedure-missing +3 +2 +9\.8s +0 +3 +procedures missing or unclear$/m);
    expect(text).toMatch(/^ {4}restart +manual +3\.0s +2 of 2 +\+22\.0s +it-1500$/m);
    expect(text).toMatch(/^ {4}none overran$/m);
    expect(text).not.toMatch(/ +$/m);
  });

  it('accepts a report and says why anything else is not one', () => {
    expect(asReport(JSON.parse(JSON.stringify(r1)))).toMatchObject({ drillId: restore.drillId });
    expect(asReport([1, 2])).toBe('not a JSON object');
    expect(asReport({ name: 'package' })).toBe('not a drill report (no drillId, scenario, startedAt)');
    expect(asReport({ ...r1, startedAt: 'yesterday' })).toMatch(/startedAt "yesterday" is not a time/);
    expect(asReport({ ...r1, objectives: [{ system: 'orders' }] })).toMatch(/objective without system, rto or rpo target/);
    // Reports from before people took part in drills carry no breakdowns; they still count.
    const { breakdowns: _, ...older } = r1;
    expect(buildHistory([asReport(older) as Report]).scenarios[0]!.breakdowns).toEqual([]);
  });
});
