// `drill lint` as a plan owner runs it: findings on stdout as `file:line:col rule field: message`,
// exit 0 with none, 1 with findings, 2 when a plan is invalid (its errors as `drill validate` gives them).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FIX = 'test/fixtures/lint';
const RESULTS = `${FIX}/results`;
const drill = (args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const lint = (...args: string[]) => drill(['lint', ...args, '--today', '2026-11-22', '--results', RESULTS]);
const dir = mkdtempSync(join(tmpdir(), 'drill-lint-'));

describe('drill lint', () => {
  it('exits 0 and says so for plans without findings, the shipped scenario included', () => {
    const r = lint(`${FIX}/plan.yaml`, 'scenarios/restore-from-backup.yaml');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([`${FIX}/plan.yaml: no findings`, 'scenarios/restore-from-backup.yaml: no findings']);
    expect(r.stderr).toBe('');
  });

  it('exits 1 with one line per finding: file:line:col rule field: message', () => {
    const file = `${FIX}/findings.yaml`;
    const r = lint(file);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${file}:17:11 tier-rto objectives[0].tier: tier S covers RTOs of 0–3h, but the RTO of auth is 4h (tier A, 3h–1d)`,
      `${file}:22:10 shared-rto objectives[1].rto: the RTO of orders, 4h, is longer than the 2h that business order-intake needs: a system takes the shortest RTO among the businesses that use it`,
      `${file}:23:10 rpo-backup objectives[1].rpo: RPO 5m cannot be met with a backup every 1h and no replication: a failure just before the next backup loses up to 1h of data`,
      `${file}:25:17 foundation-rto objectives[1].dependsOn[0]: orders (RTO 4h) depends on auth, whose RTO 4h is not shorter: a foundation must be back before the systems that depend on it can be`,
      `${file}:34:11 path-drilled drills[0].path: the plan drills switchover but declares no failback path: returning to the primary site is never drilled`,
      `${file}:35:18 path-drilled drills[0].lastDrilled: the switchover path was last drilled on 2025-06-30 (lastDrilled), 510 days ago: drill it at least every 365 days`,
    ]);
  });

  it('counts completed drills under --results, not aborted ones, as drills of the scenario a path names', () => {
    const plan = join(dir, 'from-results.yaml');
    writeFileSync(plan, readFileSync(`${FIX}/plan.yaml`, 'utf8').replace(', lastDrilled: 2026-03-02 }', ' }'));
    expect(lint(plan).code).toBe(0);
    const r = drill(['lint', plan, '--today', '2027-07-01', '--results', RESULTS]);
    expect(r.code).toBe(1);
    // The aborted drill of 2026-11-01 is newer, but only the completed one of 2026-06-01 counts.
    expect(r.stdout).toContain('the failback path was last drilled on 2026-06-01 (drill site-failback-20260601-101500-ab12), 395 days ago');
    const none = drill(['lint', plan, '--today', '2026-11-22', '--results', join(dir, 'no-results-here')]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('drills[2]: the failback path has never been drilled');
  });

  it('exits 2 when a plan is invalid, printing its errors as drill validate does, and still lints the others', () => {
    const r = lint(`${FIX}/invalid.yaml`, `${FIX}/findings.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`${FIX}/invalid.yaml:17:17 objectives[0].dependsOn[0]: no system "dns" in objectives (have: orders)`]);
    expect(drill(['validate', `${FIX}/invalid.yaml`]).stderr).toBe(r.stderr);
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
    const missing = lint(join(dir, 'nowhere.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere\.yaml:1:1 \(scenario\): cannot read file: /);
  });

  it('refuses a --today that is not a date with exit 2', () => {
    const r = drill(['lint', `${FIX}/plan.yaml`, '--today', 'tomorrow']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('--today must be a date (YYYY-MM-DD), got "tomorrow"');
  });
});
