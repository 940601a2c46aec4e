// The annual cycle, closed: a rehearsal hits a breakdown and misses nothing else; `drill revise`
// carries it into the plan as a follow-up; the next drill of the revised plan checks it, once with the
// breakdown fixed and once with it happening again. Real Temporal, real Docker, the real CLI.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../../report/build.js';
import { temporalAddress, uniqueId } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'drill-cycle-'));
const results = join(dir, 'results');
const drill = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    encoding: 'utf8', timeout: 200_000, env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DRILL_TASK_QUEUE: uniqueId('cycle') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const script = (name: string, breakdown: boolean) => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, [
    '- { step: declare, decide: { by: cho, as: chief-officer } }',
    '- { step: tell-users, confirm: { by: alice } }',
    ...(breakdown ? ['- { step: runbook, breakdown: { by: alice, code: procedure-missing, note: "no rollback section", effect: prolonged } }'] : []),
    '- { step: runbook, confirm: { by: alice } }',
    '- { step: paperwork, confirm: { by: alice } }',
  ].join('\n'));
  return file;
};
const run = (plan: string, name: string, breakdown: boolean): Report => {
  const id = uniqueId(name);
  const r = drill('run', plan, '--operator', `script:${script(name, breakdown)}`, '--drill-id', id, '--results', results);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(join(results, id, 'report.json'), 'utf8'));
};

describe('drill → report → revision → next drill', () => {
  it('reports the follow-up as verified fixed, or still failing when the breakdown recurs', () => {
    const plan = join(dir, 'people.yaml');
    copyFileSync('test/fixtures/people.yaml', plan);
    const first = run(plan, 'first', true);
    expect(first.breakdowns.map((b) => b.code)).toEqual(['procedure-missing']);
    expect(first.followUps).toEqual([]);

    const revised = join(dir, 'people.revised.yaml');
    const r = drill('revise', plan, '--from', join(results, first.drillId, 'report.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(parse(readFileSync(revised, 'utf8')).followUps).toEqual([
      expect.objectContaining({ id: 'runbook-procedure-missing', step: 'runbook', code: 'procedure-missing', owner: 'alice', status: 'open', from: first.drillId }),
    ]);

    const fixed = run(revised, 'fixed', false);
    expect(fixed.followUps).toEqual([expect.objectContaining({ id: 'runbook-procedure-missing', verdict: 'verified fixed', evidence: 'step runbook completed by alice without procedure-missing' })]);
    expect(readFileSync(join(results, fixed.drillId, 'report.md'), 'utf8')).toContain('## Follow-ups from earlier drills');

    const again = run(revised, 'again', true);
    expect(again.followUps).toEqual([expect.objectContaining({ verdict: 'still failing', evidence: 'procedure-missing again at runbook: no rollback section' })]);

    // The readable reports carry the trend of the scenario across the three drills.
    const md = readFileSync(join(results, again.drillId, 'report.md'), 'utf8');
    const trend = md.slice(md.indexOf('## Trend across drills'), md.indexOf('## Steps: expected vs actual'));
    expect(trend.split('\n').filter((l) => /^\| (\*\*)?`(first|fixed|again)-/.test(l)).map((l) => /`(first|fixed|again)-/.exec(l)![1])).toEqual(['first', 'fixed', 'again']);
    expect(trend).toContain('procedure-missing ×2');
    expect(readFileSync(join(results, again.drillId, 'report.html'), 'utf8')).toContain('<section id="trend">');
  });
});
