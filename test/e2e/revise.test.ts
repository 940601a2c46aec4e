// `drill revise` as a plan owner runs it after a drill: the revision lands beside the scenario (or as a
// diff), validates, and bad input is refused with where and what, leaving every file as it was.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenarioText } from '../../model/validate.js';
import { buildReport } from '../../report/build.js';

const drill = (args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const dir = mkdtempSync(join(tmpdir(), 'drill-revise-'));
const plan = join(dir, 'interactive.yaml');
copyFileSync('test/fixtures/interactive.yaml', plan);
const original = readFileSync(plan, 'utf8');
const reportFile = join(dir, 'report.json');
writeFileSync(reportFile, JSON.stringify(buildReport(JSON.parse(readFileSync('test/fixtures/interactive-record.json', 'utf8')))));

describe('drill revise', () => {
  it('prints a unified diff with --diff and writes nothing', () => {
    const r = drill(['revise', plan, '--from', reportFile, '--diff']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\+\s+expected: 20s # measured 19\.7s in drill it-1432 \(was 3s\)$/m);
    expect(r.stdout).toMatch(/^\+followUps:$/m);
    expect(existsSync(join(dir, 'interactive.revised.yaml'))).toBe(false);
  });

  it('writes FILE.revised.yaml beside the original, which stays as it was', () => {
    const r = drill(['revise', plan, '--from', reportFile]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, 'interactive.revised.yaml');
    expect(r.stdout.trim()).toBe(`revised: ${out}`);
    expect(r.stderr).toContain('restart: 1 breakdown recorded as findings');
    expect(validateScenarioText(readFileSync(out, 'utf8'), out).ok).toBe(true);
    expect(readFileSync(plan, 'utf8')).toBe(original);
  });

  it('refuses a report that is not one, or is of another scenario, with exit 2', () => {
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{ "drillId": ');
    let r = drill(['revise', plan, '--from', notJson]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${notJson}: not a readable report.json`);
    r = drill(['revise', 'test/fixtures/quick.yaml', '--from', reportFile, '--out', join(dir, 'never.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a report of scenario "interactive", not of "\S+"/);
    expect(existsSync(join(dir, 'never.yaml'))).toBe(false);
    expect(readFileSync(plan, 'utf8')).toBe(original);
  });
});
