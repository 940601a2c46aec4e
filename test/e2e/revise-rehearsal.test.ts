// A rehearsal played by an operator script, then `drill revise` from its report: the script's pace is
// not people's, so the plan's expected durations stay as they were and the times are listed as
// automation timings. Real Temporal, real Docker, the real CLI (the run records that a script answered).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Report } from '../../report/build.js';
import { temporalAddress, uniqueId } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'drill-rehearsal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const results = join(dir, 'results');
const drill = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    encoding: 'utf8', timeout: 200_000, env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DRILL_TASK_QUEUE: uniqueId('rehearsal') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('drill revise after a scripted rehearsal', () => {
  it('keeps the plan\'s expected durations and lists the script\'s times as automation timings', () => {
    const plan = join(dir, 'people.yaml');
    copyFileSync('test/fixtures/people.yaml', plan);
    const script = join(dir, 'rehearsal.yaml');
    writeFileSync(script, [
      '- { step: declare, decide: { by: cho, as: chief-officer } }',
      '- { step: tell-users, confirm: { by: alice } }',
      '- { step: runbook, after: 2s, confirm: { by: alice } }',
      '- { step: paperwork, confirm: { by: alice } }',
    ].join('\n'));
    const id = uniqueId('rehearsal');
    const run = drill('run', plan, '--operator', `script:${script}`, '--drill-id', id, '--results', results);
    expect(run.code, run.stderr).toBe(0);
    const report: Report = JSON.parse(readFileSync(join(results, id, 'report.json'), 'utf8'));
    expect(report.record.spec.operatorScript).toBe('rehearsal.yaml');
    expect(report.steps.find((s) => s.id === 'runbook')).toMatchObject({ status: 'completed', confirmedBy: 'alice' });

    const r = drill('revise', plan, '--from', join(results, id, 'report.json'));
    expect(r.code, r.stderr).toBe(0);
    const steps = Object.fromEntries((parse(readFileSync(join(dir, 'people.revised.yaml'), 'utf8')).steps as { id: string; expected?: string }[]).map((s) => [s.id, s]));
    expect(steps.runbook!.expected).toBe('5m');
    expect(steps.declare!.expected).toBeUndefined();
    expect(steps.paperwork!.expected).toBeUndefined();
    expect(r.stderr).toMatch(/runbook: \d+(\.\d)?s by operator script rehearsal\.yaml, an automation timing: expected 5m00s kept/);
    expect(r.stderr).toMatch(/declare: \S+ by operator script rehearsal\.yaml, an automation timing: expected left unset/);
  });
});
