// Participants drive a running drill with the `drill` command from other terminals (status, decide,
// step) or from an operator script, as they would in a real exercise: real Temporal, real Docker.
// Checks the exit codes and refusal reasons they see, and the people's part of the reports.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { statusQuery } from '../../workflows/messages.js';
import { leftovers, temporalAddress, uniqueId } from '../support/harness.js';

const SCENARIO = 'test/fixtures/people.yaml';
const results = mkdtempSync(join(tmpdir(), 'drill-people-'));
const env = () => ({ ...process.env, TEMPORAL_ADDRESS: temporalAddress() });
type Out = { code: number | null; stdout: string; stderr: string };

/** One command from "another terminal". */
const drill = (...args: string[]) => new Promise<Out>((resolve) => {
  execFile(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 60_000, env: env() }, (err, stdout, stderr) =>
    resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
});

/** `drill run` in the background, as the facilitator's terminal; `exited` resolves with its output. */
const running: { id: string; exited: Promise<Out>; kill(): void }[] = [];
function startRun(id: string, ...args: string[]) {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'run', SCENARIO, '--drill-id', id, '--results', results, '--task-queue', uniqueId('cli-people'), ...args],
    { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c) => { out.stdout += c; });
  child.stderr.on('data', (c) => { out.stderr += c; });
  const exited = new Promise<Out>((r) => child.on('close', (code) => r({ code, ...out })));
  const run = { id, exited, kill: () => { if (child.exitCode === null) child.kill(); } };
  running.push(run);
  return run;
}

let connection: Connection;
let client: Client;
beforeAll(async () => {
  connection = await Connection.connect({ address: temporalAddress() });
  client = new Client({ connection });
});
// A failed test must not leave a drill holding containers: abort it (its worker heals and cleans up).
afterEach(async () => {
  for (const r of running.splice(0)) {
    const settled = await Promise.race([r.exited.then(() => true), new Promise((t) => setTimeout(t, 100, false))]);
    if (settled) continue;
    await drill('abort', r.id, '--reason', 'test failed');
    await Promise.race([r.exited, new Promise((t) => setTimeout(t, 60_000))]);
    r.kill();
  }
});
afterAll(async () => {
  await connection?.close();
  rmSync(results, { recursive: true, force: true });
});

const waitingOn = (id: string, step: string) => expect.poll(
  async () => (await client.workflow.getHandle(id).query(statusQuery).catch(() => null))?.waiting?.id,
  { timeout: 120_000, interval: 300 },
).toBe(step);

async function reportsOf(id: string) {
  const json = JSON.parse(readFileSync(join(results, id, 'report.json'), 'utf8'));
  const md = readFileSync(join(results, id, 'report.md'), 'utf8');
  expect(md).toContain('## Runbook breakdowns');
  expect(md).toContain('### Decisions');
  for (const k of ['people', 'decisions', 'breakdowns', 'notifications']) expect(Array.isArray(json[k]), k).toBe(true);
  expect(json.decisions).toEqual([expect.objectContaining({ step: 'declare', role: 'chief-officer', decidedBy: 'cho' })]);
  expect(json.breakdowns).toEqual([expect.objectContaining({ step: 'runbook', code: 'procedure-missing', effect: 'prolonged', by: 'alice', source: 'participant' })]);
  expect(json.notifications).toEqual([expect.objectContaining({ step: 'tell-users', audience: 'public', to: 'status page', by: 'alice' })]);
  expect(await leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  return json;
}

describe('drill run --operator people, answered with drill status / decide / step', () => {
  it('refuses what cannot apply with exit 4 and the reason, accepts the rest, and reports the people', async () => {
    const id = uniqueId('cli-ppl');
    const run = startRun(id, '--operator', 'people');

    await waitingOn(id, 'declare');
    const status = await drill('status', id);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`drill ${id} (people)`);
    expect(status.stdout).toMatch(/waiting on declare \(gate, role chief-officer\) for .*: Declare the disaster and activate the plan/);

    const wrongRole = await drill('decide', id, 'declare', '--as', 'operator', '--by', 'alice');
    expect(wrongRole.code).toBe(4);
    expect(wrongRole.stderr.trim()).toBe('refused: this needs the role "chief-officer"; alice acted as "operator"');
    const decided = await drill('decide', id, 'declare', '--as', 'chief-officer', '--by', 'cho', '--note', 'site A lost');
    expect(decided.code, decided.stderr).toBe(0);
    expect(decided.stdout).toMatch(/^declare: completed/);
    const again = await drill('decide', id, 'declare', '--as', 'chief-officer', '--by', 'cho');
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/^refused: step "declare" is not waiting/);

    await waitingOn(id, 'tell-users');
    expect((await drill('step', id, 'tell-users', 'done', '--by', 'alice', '--note', 'posted at 10:02')).code).toBe(0);

    await waitingOn(id, 'runbook');
    const breakdown = await drill('step', id, 'runbook', 'breakdown', '--code', 'procedure-missing', '--note', 'runbook does not say which host', '--effect', 'prolonged', '--by', 'alice');
    expect(breakdown.code, breakdown.stderr).toBe(0);
    const unknown = await drill('step', id, 'runbook', 'breakdown', '--code', 'nonsense', '--note', 'x', '--by', 'alice');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/^refused: unknown breakdown code "nonsense"/);
    const early = await drill('step', id, 'paperwork', 'done', '--by', 'alice');
    expect(early.code).toBe(4);
    expect(early.stderr.trim()).toBe('refused: step "paperwork" is not waiting (the drill is waiting on step "runbook")');
    const done = await drill('step', id, 'runbook', 'done', '--by', 'alice', '--note', 'asked the on-call lead');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^runbook: completed/);

    await waitingOn(id, 'paperwork');
    expect((await drill('step', id, 'paperwork', 'skip', '--reason', 'filed after the drill', '--by', 'alice')).code).toBe(0);

    const r = await run.exited;
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`drill ${id}: objectives met`);
    const report = await reportsOf(id);
    expect(report.people.map((p: { step: string; status: string; confirmedBy: string }) => [p.step, p.status, p.confirmedBy])).toEqual([
      ['declare', 'completed', 'cho'], ['tell-users', 'completed', 'alice'], ['runbook', 'completed', 'alice'], ['paperwork', 'skipped', 'alice'],
    ]);
  });
});

describe('drill run --operator script:FILE', () => {
  it('plays the script (a refusal it expects included) and reports the people', async () => {
    const id = uniqueId('cli-scr');
    const script = join(results, `${id}.yaml`);
    writeFileSync(script, `
- { step: declare, decide: { by: alice, as: operator }, expect: refused }
- { step: declare, after: 1s, decide: { by: cho, as: chief-officer, note: site A lost } }
- { step: tell-users, confirm: { by: alice } }
- { step: runbook, breakdown: { by: alice, code: procedure-missing, note: runbook does not say which host, effect: prolonged } }
- { step: runbook, after: 1s, confirm: { by: alice, note: asked the on-call lead } }
- { step: paperwork, skip: { by: alice, reason: filed after the drill } }
`);
    const r = await startRun(id, '--operator', `script:${script}`).exited;
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('operator: decide declare → refused: this needs the role "chief-officer"; alice acted as "operator"');
    expect(r.stderr).toContain('operator: breakdown runbook → ');
    const report = await reportsOf(id);
    expect(report.people.find((p: { step: string }) => p.step === 'runbook')).toMatchObject({ status: 'completed', confirmedBy: 'alice', note: 'asked the on-call lead' });
  });

  it('exits 2 with FILE: [index.field] message for a bad entry, before any drill starts', async () => {
    const id = uniqueId('cli-bad');
    const script = join(results, `${id}.yaml`);
    writeFileSync(script, `
- { step: declare, decide: { by: cho, as: chief-officer }, confirm: { by: cho } }
- { step: runbook, breakdown: { by: alice, code: nonsense, note: x, effect: prolonged } }
`);
    const r = await drill('run', SCENARIO, '--operator', `script:${script}`, '--drill-id', id, '--results', results);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${script}: [0] each entry takes exactly one of confirm, breakdown, skip, decide`);
    expect(lines[1]).toMatch(new RegExp(`^${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\[1\\.breakdown\\.code\\] .+`));
    expect(existsSync(join(results, id))).toBe(false);
    await expect(client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
    expect(await leftovers(id)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
