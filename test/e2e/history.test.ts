// `drill history` as a plan owner runs it over a results directory that a year of drills (and a few
// accidents) filled: bad files are named and skipped, never fatal; an empty start is not an error.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../model/record.js';
import { buildReport } from '../../report/build.js';
import type { History } from '../../report/history.js';

const main = resolve('dist/cli/main.js');
const drill = (args: string[], cwd = process.cwd()) => {
  const r = spawnSync(process.execPath, [main, 'history', ...args], { encoding: 'utf8', timeout: 60_000, cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const record = (name: string): DrillRecord => JSON.parse(readFileSync(`test/fixtures/${name}`, 'utf8'));
const results = mkdtempSync(join(tmpdir(), 'drill-history-'));
const put = (rel: string, text: string) => {
  mkdirSync(join(results, rel, '..'), { recursive: true });
  writeFileSync(join(results, rel), text);
};

const restore = record('restore-record.json');
put(`${restore.drillId}/report.json`, JSON.stringify(buildReport(restore)));
// A month later the plan asked for RTO 1s, which the same recovery misses.
const tightened = structuredClone(restore);
tightened.drillId = 'restore-from-backup-20261222-004733-beef';
tightened.startedAt += 30 * 86_400_000;
tightened.spec.objectives[0]!.rtoMs = 1000;
put(`${tightened.drillId}/report.json`, JSON.stringify(buildReport(tightened)));
const interactive = record('interactive-record.json');
put(`${interactive.drillId}/report.json`, JSON.stringify(buildReport(interactive)));
// A drill interrupted while writing its report, and a stray file that is JSON but no report.
const broken = join(results, 'restore-from-backup-20270101-000000-dead', 'report.json');
put('restore-from-backup-20270101-000000-dead/report.json', '{ "drillId": ');
const stray = join(results, 'notes.json');
put('notes.json', '{ "owner": "cho" }');
// A drill directory without a report yet (still running) is not worth a warning.
mkdirSync(join(results, 'restore-from-backup-20270102-000000-cafe'));

describe('drill history', () => {
  it('shows every scenario with a row per drill, oldest first, and skips bad files with a warning naming each', () => {
    const r = drill(['--results', results]);
    expect(r.code, r.stderr).toBe(0);
    // Files are read in path order, so the warnings come in that order too.
    expect(r.stderr.trim().split('\n')).toEqual([
      `warning: skipped ${stray}: not a drill report (no drillId, scenario, startedAt)`,
      expect.stringMatching(new RegExp(`^warning: skipped ${broken}: not readable JSON \\(.+\\)$`)),
    ]);
    expect(r.stdout).toMatch(/^interactive: 1 drill, 2026-11-22 02:06:43Z$/m);
    expect(r.stdout).toMatch(/^restore-from-backup: 2 drills, 2026-11-22 00:47:34Z to 2026-12-22 00:47:34Z$/m);
    expect(r.stdout).toContain('  orders: objectives missed in 1 of 2 drills');
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('    restore-from-backup-'));
    expect(rows[0]).toMatch(/^ +restore-from-backup-20261122-004733-00cd +2026-11-22 00:47:34Z +completed +3\.9s +2m00s +met +5\.9s +10\.0s +met +116$/);
    expect(rows[1]).toMatch(/^ +restore-from-backup-20261222-004733-beef +.* +3\.9s +1\.0s +MISSED +5\.9s +10\.0s +met +116$/);
    expect(r.stdout).toMatch(/^ +procedure-missing +1 +1 +3\.9s +0 +1 +procedures missing or unclear$/m);
    expect(r.stdout).toMatch(/^ +restart +manual +3\.0s +1 of 1 +\+16\.7s +it-1432$/m);
  });

  it('keeps one scenario, named or given as its scenario file', () => {
    const byName = drill(['interactive', '--results', results]);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toMatch(/^interactive: 1 drill/);
    expect(byName.stdout).not.toContain('restore-from-backup');
    const byFile = drill(['test/fixtures/interactive.yaml', '--results', results]);
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(byFile.stdout).toBe(byName.stdout);
    const none = drill(['failover', '--results', results]);
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe(`no drills of scenario "failover" in ${results}/ (scenarios there: interactive, restore-from-backup)`);
  });

  it('refuses a scenario file that does not validate, with exit 2 and where', () => {
    const bad = join(results, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nname: Not A Name\n');
    const r = drill([bad, '--results', results]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2:7 name:`);
    expect(r.stdout).toBe('');
  });

  it('prints the history as JSON with --json, warnings still on stderr', () => {
    const r = drill(['restore-from-backup', '--results', results, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const h: History = JSON.parse(r.stdout);
    expect(h.scenarios).toHaveLength(1);
    expect(h.scenarios[0]!.systems[0]!.drills.map((d) => d.rto.verdict)).toEqual(['met', 'MISSED']);
    expect(r.stderr).toContain(`skipped ${stray}`);
  });

  it('says so and exits 0 when there are no reports yet, but exits 2 when --results names no directory', () => {
    const empty = mkdtempSync(join(tmpdir(), 'drill-history-empty-'));
    let r = drill(['--results', empty]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`no drill reports in ${empty}/ (a drill writes ${empty}/<drill-id>/report.json: npx drill run FILE)`);
    // The default results/ not existing yet is the state of every new project.
    r = drill([], empty);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no drill reports in results/');
    r = drill(['--json'], empty);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ scenarios: [] });
    expect(r.stderr).toContain('no drill reports in results/');
    const missing = join(empty, 'nowhere');
    r = drill(['--results', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${missing}: no such results directory`);
  });
});
