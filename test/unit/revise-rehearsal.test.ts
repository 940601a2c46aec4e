// `drill revise` must not turn a rehearsal into the plan: people's steps answered by the unattended
// operator or an operator script keep their `expected` (the time is listed as an automation timing);
// a follow-up this drill verified fixed is closed, one still failing stays open under its own id; and
// the plan's text around the edits (folded runbooks, flow mappings, comments) stays as written.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DrillRecord } from '../../model/record.js';
import { validateScenarioText } from '../../model/validate.js';
import { buildReport } from '../../report/build.js';
import { reviseScenario } from '../../report/revise.js';

const recorded: DrillRecord = JSON.parse(await readFile(new URL('../fixtures/interactive-record.json', import.meta.url), 'utf8'));
const scenario = await readFile(new URL('../fixtures/interactive.yaml', import.meta.url), 'utf8');
const steps = (text: string) => Object.fromEntries((parse(text).steps as { id: string }[]).map((s) => [s.id, s as Record<string, unknown>]));
const valid = (text: string) => {
  const v = validateScenarioText(text, 'revised.yaml');
  expect(v.ok, JSON.stringify(!v.ok && v.errors)).toBe(true);
};

describe('timings of a rehearsal', () => {
  it('keeps expected when an operator script answered the people steps, and lists the script\'s times as automation timings', () => {
    const rehearsal = structuredClone(recorded);
    rehearsal.spec.operatorScript = 'rehearsal.yaml';
    const { text, changes } = reviseScenario(scenario, buildReport(rehearsal));
    valid(text);
    const s = steps(text);
    expect(s.restart!.expected).toBe('3s');
    expect(s.declare!.expected).toBeUndefined();
    expect(s['tell-users']!.expected).toBeUndefined();
    expect(changes).toContain('restart: 19.7s by operator script rehearsal.yaml, an automation timing: expected 3.0s kept');
    expect(changes).toContain('declare: 16.9s by operator script rehearsal.yaml, an automation timing: expected left unset');
    expect(changes.some((c) => c.includes('→'))).toBe(false);
  });

  it('keeps expected when the unattended operator answered, and lists its times as automation timings', () => {
    const unattended = structuredClone(recorded);
    unattended.spec.operator = 'auto';
    for (const st of unattended.steps) if (st.confirmedBy) st.confirmedBy = 'auto';
    const { text, changes } = reviseScenario(scenario, buildReport(unattended));
    expect(steps(text).restart!.expected).toBe('3s');
    expect(changes).toContain('restart: 19.7s by the unattended operator, an automation timing: expected 3.0s kept');
  });

  it('still writes the time people took when people answered', () => {
    expect(steps(reviseScenario(scenario, buildReport(recorded)).text).restart!.expected).toBe('20s');
  });
});

const followUp = (o: { id: string; step?: string; code?: string }) => ({ finding: 'x', owner: 'cho', due: '2026-12-22', from: 'it-1000', ...o });
const withFollowUps = (items: string[]) => `${scenario.trimEnd()}\nfollowUps:\n${items.join('\n')}\n`;

describe('follow-ups the drill checked', () => {
  const plan = withFollowUps([
    '  - { id: staffing, finding: x, step: restart, code: staff-unavailable, owner: cho, due: 2026-12-22, status: open, from: it-1000 }',
    '  - id: restart-procedure-missing',
    '    finding: "procedures missing or unclear: no host named"',
    '    step: restart',
    '    code: procedure-missing',
    '    owner: cho',
    '    due: 2026-12-22',
    '    from: it-1000',
  ]);
  const checked = structuredClone(recorded);
  checked.spec.followUps = [followUp({ id: 'staffing', step: 'restart', code: 'staff-unavailable' }), followUp({ id: 'restart-procedure-missing', step: 'restart', code: 'procedure-missing' })];
  const { text, changes } = reviseScenario(plan, buildReport(checked));

  it('closes the one verified fixed', () => {
    valid(text);
    const [staffing] = parse(text).followUps;
    expect(staffing).toMatchObject({ id: 'staffing', status: 'done' });
    expect(text).toContain('status: done # verified fixed in drill it-1432: step restart completed by cho without staff-unavailable');
    expect(changes).toContain('follow-up staffing: verified fixed, closed');
  });

  it('keeps the one still failing open under its own id, with no duplicate', () => {
    const ids = (parse(text).followUps as { id: string; status?: string }[]).map((f) => [f.id, f.status]);
    expect(ids).toEqual([['staffing', 'done'], ['restart-procedure-missing', 'open']]);
    expect(text).toContain('status: open # still failing in drill it-1432: procedure-missing again at restart: runbook does not say which host');
    expect(changes).toContain('follow-up restart-procedure-missing: still failing, kept open');
    // The breakdown is still recorded as a finding on its step.
    expect(steps(text).restart!.findings).toEqual([expect.objectContaining({ drill: 'it-1432', code: 'procedure-missing' })]);
  });

  it('changes nothing more when revised again from the same drill', () => {
    const again = reviseScenario(text, buildReport(checked));
    expect(again.text).toBe(text);
  });

  it('opens a new follow-up, under a new id, for a breakdown whose follow-up was closed before', () => {
    const closed = withFollowUps(['  - { id: restart-procedure-missing, finding: x, step: restart, code: procedure-missing, owner: cho, due: 2026-12-22, status: done, from: it-1000 }']);
    const r = reviseScenario(closed, buildReport(recorded));
    valid(r.text);
    expect((parse(r.text).followUps as { id: string }[]).map((f) => f.id)).toEqual(['restart-procedure-missing', 'restart-procedure-missing-it-1432']);
  });
});

describe('the plan\'s own text', () => {
  const folded = [
    '  - id: restart',
    '    kind: manual',
    '    # the slow one',
    '    runbook: >',
    '      Start the web service again with docker start web, then watch the',
    '      health endpoint until it answers; the host is in the inventory.',
    '    expected: 3s   # a guess',
    '    auto: { action: start, target: web }',
  ];
  const plan = scenario.replace('  - { id: restart, kind: manual, runbook: Start the web service again (docker start web), expected: 3s, auto: { action: start, target: web } }', folded.join('\n'));

  it('keeps folded text folded, line for line, and flow mappings as they were written', () => {
    expect(plan).not.toBe(scenario);
    for (const eol of ['\n', '\r\n']) {
      const { text } = reviseScenario(plan.replace(/\n/g, eol), buildReport(recorded));
      valid(text);
      const lines = text.split(eol);
      for (const line of folded.filter((l) => !l.includes('expected'))) expect(lines).toContain(line);
      expect(lines).toContain('    expected: 20s # measured 19.7s in drill it-1432 (was 3s)');
      expect(steps(text).restart!.runbook).toBe('Start the web service again with docker start web, then watch the health endpoint until it answers; the host is in the inventory.\n');
      if (eol === '\r\n') expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    }
  });

  it('rewrites a flow step it must extend in block style, each untouched value as written', () => {
    const { text } = reviseScenario(scenario, buildReport(recorded));
    expect(text).toContain([
      '  - id: restart',
      '    kind: manual',
      '    runbook: Start the web service again (docker start web)',
      '    expected: 20s # measured 19.7s in drill it-1432 (was 3s)',
      '    auto: { action: start, target: web }',
      '    findings:',
      '      - drill: it-1432',
    ].join('\n'));
  });
});
