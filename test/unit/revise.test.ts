// `drill revise` on a DrillRecord recorded from a real interactive drill (a gate decided by a person, a
// breakdown on a manual step that overran): the revision carries the findings and still validates.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DrillRecord } from '../../model/record.js';
import { validateScenarioText } from '../../model/validate.js';
import { buildReport } from '../../report/build.js';
import { reviseScenario } from '../../report/revise.js';

const recorded: DrillRecord = JSON.parse(await readFile(new URL('../fixtures/interactive-record.json', import.meta.url), 'utf8'));
const scenario = `# the plan owner's comment survives a revision\n${await readFile(new URL('../fixtures/interactive.yaml', import.meta.url), 'utf8')}`;

describe('drill revise', () => {
  it('writes measured durations, breakdown findings and follow-ups into a scenario that still validates', () => {
    const { text, changes } = reviseScenario(scenario, buildReport(recorded));
    const check = validateScenarioText(text, 'revised.yaml');
    expect(check.ok, JSON.stringify(!check.ok && check.errors)).toBe(true);
    expect(text.startsWith("# the plan owner's comment survives a revision\n")).toBe(true);
    // Lines the revision does not concern stay byte for byte, flow style included.
    for (const line of ['  - { id: healthy, kind: wait, probe: up, until: healthy, timeout: 30s }', '    web: { image: drill/redis:latest, ports: [6379] }']) expect(text).toContain(`${line}\n`);

    const steps = Object.fromEntries((parse(text).steps as { id: string }[]).map((s) => [s.id, s as Record<string, unknown>]));
    // People answered these: their real time becomes the runbook's estimate, with where it came from.
    expect(steps.restart!.expected).toBe('20s');
    expect(text).toMatch(/expected: 20s # measured 19\.7s in drill it-1432 \(was 3s\)/);
    expect(steps.declare!.expected).toBe('17s');
    // Automated steps without an estimate get none.
    expect(steps.healthy!.expected).toBeUndefined();
    expect(steps.restart!.findings).toEqual([{ drill: 'it-1432', code: 'procedure-missing', effect: 'prolonged', note: 'runbook does not say which host', lost: '4s' }]);
    expect(parse(text).followUps).toEqual([{
      id: 'restart-procedure-missing', finding: 'procedures missing or unclear: runbook does not say which host', step: 'restart', code: 'procedure-missing',
      owner: 'cho', due: '2026-12-22', status: 'open', from: 'it-1432',
    }]);
    expect(changes).toContain('restart: expected 3s → 20s (measured 19.7s)');
  });

  it('flags a missed objective with the step that consumed its budget', () => {
    const tight = structuredClone(recorded);
    tight.spec.objectives[0]!.rtoMs = 10_000;
    const report = buildReport(tight);
    const { text } = reviseScenario(scenario, report);
    const [objective] = parse(text).objectives;
    expect(objective.findings).toEqual([{ drill: 'it-1432', note: expect.stringMatching(/^RTO missed: \d+(\.\d)?s against 10\.0s; step restart consumed \d+(\.\d)?s of it$/) }]);
    expect(validateScenarioText(text, 'revised.yaml').ok).toBe(true);
    expect(parse(text).followUps).toContainEqual(expect.objectContaining({ id: 'web-rto', objective: 'web', measure: 'rto', owner: 'plan-owner', status: 'open', from: 'it-1432' }));
  });

  it('keeps comments next to a rewritten step once, and CRLF line endings as they were', () => {
    const commented = scenario
      .replace('  - { id: restart,', '  # restart the service by hand\n  - { id: restart,')
      .replace('target: web } }\n  - { id: back', 'target: web } } # the slow one\n  - { id: back');
    for (const eol of ['\n', '\r\n']) {
      const { text } = reviseScenario(commented.replace(/\n/g, eol), buildReport(recorded));
      expect(text.split('# restart the service by hand')).toHaveLength(2);
      expect(text.split('# the slow one')).toHaveLength(2);
      if (eol === '\r\n') expect(text.replace(/\r\n/g, '')).not.toContain('\n');
      expect(validateScenarioText(text, 'revised.yaml').ok).toBe(true);
    }
  });

  it('does not repeat a follow-up already carried from the same drill', () => {
    const report = buildReport(recorded);
    const once = reviseScenario(scenario, report).text;
    const twice = reviseScenario(once, report).text;
    expect(parse(twice).followUps).toHaveLength(1);
  });
});

describe('follow-ups checked by the next drill', () => {
  it('gives each open follow-up a verdict from what the drill observed', () => {
    const next = structuredClone(recorded);
    const base = { finding: 'x', owner: 'cho', due: '2026-12-22', from: 'it-1000' };
    next.spec.followUps = [
      { ...base, id: 'a', step: 'restart', code: 'procedure-missing' },
      { ...base, id: 'b', step: 'restart', code: 'staff-unavailable' },
      { ...base, id: 'c', step: 'nowhere' },
      { ...base, id: 'd', objective: 'web', measure: 'rto' },
      { ...base, id: 'e', step: 'tell-users' },
      { ...base, id: 'f', objective: 'web', measure: 'rpo' },
      { ...base, id: 'g', step: 'declare' },
    ];
    next.steps.find((s) => s.id === 'declare')!.confirmedBy = 'auto';
    next.steps.find((s) => s.id === 'tell-users')!.status = 'skipped';
    const verdicts = Object.fromEntries(buildReport(next).followUps.map((f) => [f.id, [f.verdict, f.evidence]]));
    expect(verdicts).toEqual({
      a: ['still failing', 'procedure-missing again at restart: runbook does not say which host'],
      b: ['verified fixed', 'step restart completed by cho without staff-unavailable'],
      c: ['not exercised', 'no step nowhere in this drill'],
      d: ['verified fixed', 'RTO met'],
      e: ['not exercised', 'step tell-users skipped'],
      f: ['not exercised', 'RPO not measured'],
      g: ['not exercised', 'step declare was done by the unattended operator'],
    });
  });
});
