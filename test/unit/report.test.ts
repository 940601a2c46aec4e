import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../model/record.js';
import { buildReport, exitCodeOf } from '../../report/build.js';
import { renderMarkdown } from '../../report/markdown.js';

// A DrillRecord recorded from a real restore-from-backup drill.
const recorded: DrillRecord = JSON.parse(await readFile(new URL('../fixtures/restore-record.json', import.meta.url), 'utf8'));

describe('report', () => {
  it('holds the contract fields of report.json', () => {
    const r = buildReport(recorded);
    expect(r).toMatchObject({ drillId: recorded.drillId, scenario: 'restore-from-backup', status: 'completed' });
    expect(r.t0).toBe(new Date(recorded.t0!).toISOString());
    const [o] = r.objectives;
    expect(o).toMatchObject({ system: 'orders', rto: { targetMs: 120_000, met: true }, rpo: { targetMs: 10_000, met: true } });
    expect(o!.rto.actualMs).toBeGreaterThan(0);
    expect(o!.rpo.lostWrites).toBe(116);
    expect(o!.rpo.acknowledgedWrites).toBe(266);
    expect(r.steps.map((s) => s.id)).toEqual(recorded.spec.steps.map((s) => s.id));
    for (const s of r.steps) expect(Object.keys(s)).toEqual(expect.arrayContaining(['id', 'kind', 'startedAt', 'endedAt', 'durationMs', 'status']));
    expect(r.steps.find((s) => s.id === 'restore')!.expectedMs).toBe(600_000);
    expect(exitCodeOf(r)).toBe(0);
  });

  it('exits 1 when an objective is missed and 3 when the drill did not complete', () => {
    const tight = structuredClone(recorded);
    tight.spec.objectives[0]!.rpoMs = 1000;
    expect(exitCodeOf(buildReport(tight))).toBe(1);
    expect(exitCodeOf(buildReport({ ...recorded, status: 'aborted' }))).toBe(3);
  });

  it('renders the same markdown from the same record', async () => {
    await expect(renderMarkdown(buildReport(recorded))).toMatchFileSnapshot('../fixtures/restore-report.md');
  });
});
