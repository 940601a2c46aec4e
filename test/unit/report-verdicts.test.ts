// An objective's verdict, right in every output (issue 14): the summary's cause is the t0 step, and an
// objective the drill never exercised is "not measured" in report.md, report.html, junit.xml, `drill
// history` and the exit code, and proposes no follow-up; one whose RTO ran out is a miss however the
// drill ended. Each drill is a DrillRecord built in test/unit/figures-drill.ts.
import { describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../model/record.js';
import { buildReport, exitCodeOf, type Report } from '../../report/build.js';
import { buildHistory, renderHistory } from '../../report/history.js';
import { renderHtml } from '../../report/html.js';
import { renderJunit } from '../../report/junit.js';
import { renderMarkdown } from '../../report/markdown.js';
import { T, drill, healthyBefore, objectivesRow, parseJunit, sampled, writes } from './figures-drill.js';

describe('the summary\'s cause', () => {
  it('is the step marked t0, not a background fault that took effect before it', () => {
    const record = drill({
      endedAt: T + 60_000,
      steps: { steady: ['completed', -12_000, -10_000], noise: ['completed', -10_000, -9_000], disaster: ['completed', -100, 0], 'restore-mail': ['completed', 0, 5000], back: ['completed', 5000, 9000], 'check-mailboxes': ['completed', 9000, 10_000] },
      up: sampled([...healthyBefore(T), [T, T + 5000, false], [T + 5000, T + 60_000, true]]),
    });
    const md = renderMarkdown(buildReport(record));
    const summary = md.slice(md.indexOf('## Summary'), md.indexOf('## Configuration'));
    expect(summary).toMatch(/Cause: `disaster` Mail store lost \(kill mail\), effective at 2027-01-15 09:00:00Z/);
    expect(summary).not.toMatch(/Cause: `noise`/);
    expect(summary).toMatch(/Already in place: `noise` \(pause cache\)/);
  });
});

describe('an objective the drill never exercised is not measured, in every output', () => {
  // Aborted before its fault; aborted 5s into a 2m RTO while down; aborted 1s in with no outage seen yet
  // (the "met 0ms" of the issue); completed but its ledger never read back.
  const cases: [string, DrillRecord][] = [
    ['aborted before t0', drill({
      status: 'aborted', t0: null, endedAt: T - 2000, steps: { steady: ['completed', -12_000, -10_000], noise: ['completed', -10_000, -9_000], disaster: ['aborted', -3000, -2000] },
      up: sampled(healthyBefore(T - 2000)), ledger: { writes: writes(T - 15_000, T - 2000), readbacks: [] },
    })],
    ['aborted 5s after t0, down', drill({
      status: 'aborted', endedAt: T + 5000, steps: { steady: ['completed', -12_000, -10_000], disaster: ['completed', -100, 0], 'restore-mail': ['aborted', 0, 5000] },
      up: sampled([...healthyBefore(T), [T + 100, T + 5000, false]]), ledger: { writes: writes(T - 15_000, T + 5000, (t) => t < T), readbacks: [] },
    })],
    ['aborted 1s after t0, no outage seen yet', drill({
      status: 'aborted', endedAt: T + 1000, steps: { steady: ['completed', -12_000, -10_000], disaster: ['completed', -100, 0], 'restore-mail': ['aborted', 0, 1000] },
      up: sampled(healthyBefore(T + 1000)), ledger: { writes: writes(T - 15_000, T + 1000), readbacks: [] },
    })],
  ];

  for (const [name, record] of cases) {
    it(`${name}: md, html, junit and history say not measured, no follow-up, exit 3`, async () => {
      const report = buildReport(record);
      expect(report.objectives[0]!.rto.met).toBeNull();
      expect(report.objectives[0]!.rpo.met).toBeNull();
      const junit = parseJunit(renderJunit(report));
      expect(junit.objectives.map((c) => [c['@name'], 'failure' in c, (c.skipped as Record<string, string> | undefined)?.['@message']?.split(':')[0]]))
        .toEqual([['mail: RTO 2m00s', false, 'RTO not measured'], ['mail: RPO 5.0s', false, 'RPO not measured'], ['mail: RLO 100%', false, 'RLO not measured']]);

      const md = renderMarkdown(report);
      expect(objectivesRow(md)).toMatchObject({ RTO: '**not measured**', RPO: '**not measured**', RLO: '**not measured**' });
      expect(md).not.toMatch(/MISSED|met 0ms/);
      expect(md).not.toMatch(/mail-rt?o|follow-up `/);
      expect(md.slice(md.indexOf('**Why the recovery took long**'), md.indexOf('## Proposed revisions'))).not.toContain('mail');

      const html = await renderHtml(report);
      expect(html).toContain('<strong class="unmeasured">not measured</strong>');
      expect(html).not.toMatch(/MISSED|class="missed"/);

      const history = buildHistory([report]);
      const row = history.scenarios[0]!.systems[0]!.drills[0]!;
      expect([row.rto.verdict, row.rpo?.verdict, row.rlo.verdict]).toEqual(['not measured', 'not measured', 'not measured']);
      expect(renderHistory(history)).toContain('mail: no objective missed');
      expect(exitCodeOf(report)).toBe(3);
    });
  }

  it('history judges an older report.json by its record, not by the verdict that release wrote', () => {
    const old = JSON.parse(JSON.stringify(buildReport(cases[1]![1]))) as Report;
    old.objectives[0]!.rto.met = false; // what releases before issue 14 wrote for this abort
    expect(buildHistory([old]).scenarios[0]!.systems[0]!.drills[0]!.rto.verdict).toBe('not measured');
  });

  it('a completed drill with an objective not measured exits 5, not 1 ("objective missed")', () => {
    const record = drill({
      endedAt: T + 60_000,
      steps: { steady: ['completed', -12_000, -10_000], disaster: ['completed', -100, 0], 'restore-mail': ['completed', 0, 5000], back: ['completed', 5000, 9000], 'check-mailboxes': ['failed', 9000, 10_000] },
      up: sampled([...healthyBefore(T), [T + 100, T + 5000, false], [T + 5000, T + 60_000, true]]), ledger: { writes: writes(T - 15_000, T + 9000, (t) => t < T || t >= T + 5000), readbacks: [] },
    });
    const report = buildReport(record);
    expect([report.objectives[0]!.rto.met, report.objectives[0]!.rpo.met]).toEqual([true, null]);
    expect(exitCodeOf(report)).toBe(5);
  });

  it('an RTO that ran out before the abort is a miss, with its follow-up', () => {
    const record = drill({
      status: 'aborted', endedAt: T + 150_000, steps: { steady: ['completed', -12_000, -10_000], disaster: ['completed', -100, 0], 'restore-mail': ['aborted', 0, 150_000] },
      up: sampled([...healthyBefore(T), [T + 100, T + 150_000, false]]), ledger: { writes: writes(T - 15_000, T), readbacks: [] },
    });
    const report = buildReport(record);
    expect(report.objectives[0]!.rto.met).toBe(false);
    const md = renderMarkdown(report);
    expect(objectivesRow(md).RTO).toBe('**MISSED**');
    expect(md).toContain('follow-up `mail-rto`');
    expect(md).toMatch(/mail: RTO not restored when its RTO of 2m00s ran out/);
    expect(exitCodeOf(report)).toBe(3);
  });
});
