// `drill run --operator script:FILE`: a script that would leave the drill waiting forever is refused
// before anything starts; entries timed from t0 (`at: t0+…`) fire then, at the pace of a time scale.
// Real Temporal, real Docker, the real CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { Report } from '../../report/build.js';
import { leftovers, temporalAddress, uniqueId } from '../support/harness.js';

const SCENARIO = 'test/fixtures/people.yaml';
const dir = mkdtempSync(join(tmpdir(), 'drill-script-'));
const results = join(dir, 'results');
const drill = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    encoding: 'utf8', timeout: 200_000, env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DRILL_STATE_DIR: join(dir, 'state') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const script = (name: string, text: string) => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
};

let connection: Connection;
let client: Client;
beforeAll(async () => {
  connection = await Connection.connect({ address: temporalAddress() });
  client = new Client({ connection });
});
afterAll(async () => { await connection?.close(); });

describe('an operator script that would leave the drill waiting forever', () => {
  it('is refused with exit 2, naming the file and the entry, before any drill starts', async () => {
    const id = uniqueId('scr-bad');
    const file = script(id, `
- { step: declare, decide: { by: cho, as: chief-officer } }
- { step: tell-user, confirm: { by: alice } }
- { step: restart, confirm: { by: alice } }
- { step: runbook, confirm: { by: alice } }
- { step: tell-users, confirm: { by: alice } }
- { step: runbook, confirm: { by: alice } }
`);
    const r = drill('run', SCENARIO, '--operator', `script:${file}`, '--drill-id', id, '--results', results);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}: [1.step] scenario people has no step "tell-user"; the steps that wait for people: declare, tell-users, runbook, paperwork`,
      `${file}: [2.step] step "restart" is a docker step: only manual, gate and notify steps wait for an answer`,
      `${file}: [4.step] step "tell-users" comes before "runbook" (entry 3) in the scenario: the script would wait for "runbook" while the drill waits on "tell-users"`,
      `${file}: [5.step] step "runbook" is resolved by entry 3 already: the script would wait for it forever`,
    ]);
    expect(existsSync(join(results, id))).toBe(false);
    await expect(client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
    expect(await leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('refuses a time scale that is not a positive number, or one with no script to pace', () => {
    const file = script('paced', '- { step: declare, decide: { by: cho, as: chief-officer } }\n');
    for (const k of ['0', '-1', 'fast']) {
      const r = drill('run', SCENARIO, '--operator', `script:${file}`, '--time-scale', k);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--time-scale ${k}: a positive number`);
    }
    const alone = drill('run', SCENARIO, '--time-scale', '0.1');
    expect(alone.code).toBe(2);
    expect(alone.stderr.trim()).toBe('--time-scale paces an operator script: use it with --operator script:FILE');
    const bad = script('bad-at', '- { step: declare, at: t1+5m, decide: { by: cho, as: chief-officer } }\n');
    const r = drill('run', SCENARIO, '--operator', `script:${bad}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: [0.at] "t1+5m": write t0 or t0+DURATION, e.g. t0+9m`);
  });
});

describe('script entries timed from t0', () => {
  it('fire once t0 + the time has passed, at the pace of the time scale (--time-scale over the file\'s)', () => {
    const id = uniqueId('scr-t0');
    const file = script(id, `
timeScale: 0.5
entries:
  - { step: declare, at: t0+40s, decide: { by: cho, as: chief-officer, note: site A lost } }
  - { step: tell-users, confirm: { by: alice } }
  - { step: runbook, after: 20s, confirm: { by: alice } }
  - { step: paperwork, skip: { by: alice, reason: filed after the drill } }
`);
    const r = drill('run', SCENARIO, '--operator', `script:${file}`, '--time-scale', '0.1', '--drill-id', id, '--results', results);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('operator: decide declare → completed: accepted');
    const report: Report = JSON.parse(readFileSync(join(results, id, 'report.json'), 'utf8'));
    const { record } = report;
    const step = Object.fromEntries(record.steps.map((s) => [s.id, s]));
    // t0+40s at a tenth of the pace: 4s after t0, not 20s (the file's own pace) nor at once.
    const fromT0 = step.declare!.confirmedAt! - record.t0!;
    expect(fromT0).toBeGreaterThanOrEqual(4000);
    expect(fromT0).toBeLessThan(15_000);
    const waited = step.runbook!.confirmedAt! - step.runbook!.startedAt!;
    expect(waited).toBeGreaterThanOrEqual(2000);
    expect(waited).toBeLessThan(10_000);
    expect(step.paperwork!.status).toBe('skipped');
  });
});
