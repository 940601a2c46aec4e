import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../model/record.js';
import { buildReport, exitCodeOf } from '../../report/build.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderJunit } from '../../report/junit.js';
import { convert } from 'xmlbuilder2';

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

  it('renders junit.xml: an objective missed fails its case, a failed step fails, steps not run are skipped', async () => {
    const tight = structuredClone(recorded);
    tight.spec.objectives[0]!.rpoMs = 1000;
    tight.steps[7]!.status = 'failed';
    tight.steps[7]!.error = 'probe orders-up did not hold within 2m';
    tight.steps[8]!.status = 'skipped';
    const xml = renderJunit(buildReport(tight));
    await expect(xml).toMatchFileSnapshot('../fixtures/restore-junit.xml');
    const doc = convert(xml, { format: 'object' }) as { testsuites: { '@tests': string; '@failures': string; testsuite: { testcase: unknown[] | unknown }[] } };
    expect(doc.testsuites['@tests']).toBe(String(3 + recorded.steps.length)); // RTO, RPO and RLO of its objective, and the steps
    expect(doc.testsuites['@failures']).toBe('2');
    expect(xml).toContain('<failure message="RPO 5.9s exceeds the target 1.0s: 116 acknowledged writes lost" type="objective-missed">');
    expect(xml).toMatch(/name="09 verify-data Read back the ledger" time="[\d.]+">\s*<skipped/);
  });

  it('renders Japanese section headings with --lang ja, the same figures otherwise', () => {
    const report = buildReport(recorded);
    const ja = renderMarkdown(report, 'ja');
    const en = renderMarkdown(report);
    const headings = (md: string) => md.split('\n').filter((l) => l.startsWith('#'));
    expect(headings(ja)).toContain('## 措置模様（事故対応状況）');
    expect(headings(ja)).toContain('## 目標復旧時間・目標復旧時点：目標と実績');
    expect(headings(ja).filter((l) => /[A-Za-z]{4,}/.test(l.replace(/: restore-from-backup$/, '')))).toEqual([]);
    expect(headings(ja)).toHaveLength(headings(en).length);
    expect(ja.split('\n').filter((l) => !l.startsWith('#'))).toEqual(en.split('\n').filter((l) => !l.startsWith('#')));
  });

  // Golden renderings of real drills: one with people, a refused decision and a breakdown; one with two
  // impairments restored at different times, a missed RTO and a missed RPO.
  for (const name of ['interactive', 'two-systems']) {
    it(`renders report.md and junit.xml of the ${name} drill as recorded`, async () => {
      const record: DrillRecord = JSON.parse(await readFile(new URL(`../fixtures/${name}-record.json`, import.meta.url), 'utf8'));
      const report = buildReport(record);
      await expect(renderMarkdown(report)).toMatchFileSnapshot(`../fixtures/${name}-report.md`);
      await expect(renderJunit(report)).toMatchFileSnapshot(`../fixtures/${name}-junit.xml`);
    });
  }

  it('reports each impairment of a multi-system drill, and the causes and measures of its misses', async () => {
    const report = buildReport(JSON.parse(await readFile(new URL('../fixtures/two-systems-record.json', import.meta.url), 'utf8')));
    expect(report.objectives.map((o) => [o.system, o.rto.met, o.rpo.met])).toEqual([['orders', true, false], ['sessions', false, null]]);
    const [orders, sessions] = report.objectives;
    expect(Date.parse(sessions!.rto.restoredAt!)).toBeLessThan(Date.parse(orders!.rto.restoredAt!));
    const md = renderMarkdown(report);
    const summary = md.slice(md.indexOf('## Summary'), md.indexOf('## Configuration drilled'));
    expect(summary.split('\n').filter((l) => /^\| (orders|sessions) \|/.test(l))).toHaveLength(2);
    const causes = md.slice(md.indexOf('## Causes and measures'), md.indexOf('## Proposed revisions'));
    expect(causes).toMatch(/\*\*Why the impact grew\*\*\n\n- `check-sessions` own staff unavailable: the session admin was not on call\n- orders: \d+ acknowledged writes lost/);
    expect(causes).toMatch(/\*\*Why the recovery took long\*\*\n\n(- .*\n)*- sessions: RTO \d+(\.\d)?s against 2\.0s/);
    expect(causes).toContain('| `check-sessions-staff-unavailable` own staff unavailable: the session admin was not on call | the database team checked | revise the runbook of `check-sessions` | alice |');
    expect(md.slice(md.indexOf('## Proposed revisions'))).toContain('- follow-up `sessions-rto`, owner plan-owner');
  });
});

