// Scheduled drills as Temporal Schedules, driven through the CLI: created, listed, triggered (the run
// reads the scenario, drills, and writes its report), paused and deleted. Real server, real worker.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, leftovers, temporalAddress, uniqueId } from '../support/harness.js';
import { webhookReceiver } from '../support/webhook.js';

let h: Awaited<ReturnType<typeof harness>>;
let hook: Awaited<ReturnType<typeof webhookReceiver>>;
beforeAll(async () => {
  h = await harness();
  hook = await webhookReceiver('/facilitator');
});
afterAll(async () => { await h?.close(); hook?.close(); });

const results = mkdtempSync(join(tmpdir(), 'drill-schedule-'));
const drill = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress() } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('drill schedule', () => {
  it('creates, lists, triggers (a drill runs and writes its report), pauses and deletes a schedule', async () => {
    const id = uniqueId('annual');
    let r = drill('schedule', 'create', '--scenario', 'test/fixtures/quick.yaml', '--every', '1y', '--start', '2027-03-01T09:00:00Z',
      '--id', id, '--results', results, '--task-queue', h.taskQueue, '--remind', '14d,1d', '--webhook', hook.url);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`schedule ${id} created`);

    r = drill('schedule', 'list');
    const row = r.stdout.split('\n').find((l) => l.startsWith(id))!;
    expect(row).toMatch(/ active .*quick\.yaml .* 14d, 1d$/);
    // The annual drill falls on its start date, and the reminders the set time before it.
    expect(row.split(/\s+/)[3]).toBe('2027-03-01T09:00:00.000Z');
    const next = async (s: string) => (await h.client.schedule.getHandle(s).describe()).info.nextActionTimes[0]!.toISOString();
    expect(await next(`${id}-remind-14d`)).toBe('2027-02-15T09:00:00.000Z');
    expect(await next(`${id}-remind-1d`)).toBe('2027-02-28T09:00:00.000Z');
    await h.client.schedule.getHandle(`${id}-remind-1d`).trigger();
    await expect.poll(() => hook.received.filter((m) => m.subject === 'drill reminder').map((m) => m.message), { timeout: 30_000 })
      .toEqual([expect.stringMatching(new RegExp(`^the scheduled drill ${id} \\(.*quick\\.yaml\\) runs in 1d$`))]);

    expect(drill('schedule', 'trigger', id).stdout.trim()).toBe(`${id}: triggered: a drill starts now`);
    const handle = h.client.schedule.getHandle(id);
    await expect.poll(async () => (await handle.describe()).info.recentActions.length, { timeout: 30_000, interval: 500 }).toBe(1);
    const run = (await handle.describe()).info.recentActions[0]!.action.workflow;
    const outcome = await h.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result() as { drillId: string; status: string; reportDir: string };
    expect(outcome.status).toBe('completed');
    expect(outcome.drillId).toMatch(/^quick-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(outcome.reportDir).toBe(join(results, outcome.drillId));
    expect(readFileSync(join(outcome.reportDir, 'report.md'), 'utf8')).toContain('## Objectives: target vs actual');
    expect(existsSync(join(outcome.reportDir, 'junit.xml'))).toBe(true);
    expect(await leftovers(outcome.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });

    expect(drill('schedule', 'pause', id, '--note', 'change freeze').stdout.trim()).toBe(`${id}: paused`);
    expect(drill('schedule', 'list').stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/ paused /);
    expect(drill('schedule', 'resume', id).stdout.trim()).toBe(`${id}: resumed`);
    expect(drill('schedule', 'delete', id).stdout.trim()).toBe(`${id}: deleted`);
    expect(drill('schedule', 'list').stdout).not.toContain(id);
    for await (const s of h.client.schedule.list()) expect(s.scheduleId.startsWith(id)).toBe(false); // its reminders went with it
  });

  it('refuses bad input with exit 2 and touches nothing', () => {
    let r = drill('schedule', 'create', '--scenario', 'test/fixtures/quick.yaml', '--every', '1y', '--cron', '0 9 1 3 *', '--id', uniqueId('bad'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('give exactly one of --cron EXPR or --every DURATION');
    r = drill('schedule', 'create', '--scenario', 'test/fixtures/quick.yaml', '--every', '5s');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('--every 5s: a drill schedule fires at most once a minute');
    r = drill('schedule', 'create', '--scenario', 'test/fixtures/quick.yaml', '--cron', '0 9 1 3 *', '--remind', '14d', '--id', uniqueId('bad'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('--remind needs --every and --start (the reminders are counted back from each drill)');
    r = drill('schedule', 'pause', 'no-such-schedule');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('no schedule no-such-schedule (see drill schedule list)');
  });

  it('schedules an unannounced exercise: only the facilitator is told when it fires, and the tokens minted at creation work', async () => {
    const id = uniqueId('unannounced');
    const created = drill('schedule', 'create', '--pool', 'test/fixtures/exercise-pool', '--window', '2s', '--facilitator', 'fran', '--every', '1y',
      '--start', '2027-03-01T09:00:00Z', '--id', id, '--results', results, '--task-queue', h.taskQueue, '--webhook', hook.url, '--json');
    expect(created.code, created.stderr).toBe(0);
    const { tokens } = JSON.parse(created.stdout) as { tokens: { facilitator: string; participants: Record<string, string> } };
    expect(drill('schedule', 'list').stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/ active +unannounced exercise, pool \S*test\/fixtures\/exercise-pool /);

    const before = hook.received.length;
    expect(drill('schedule', 'trigger', id).code).toBe(0);
    // The facilitator's notice names the exercise and nothing of its scenario.
    await expect.poll(() => hook.received.slice(before).filter((m) => m.subject === 'exercise started').length, { timeout: 30_000 }).toBe(1);
    const notice = hook.received.slice(before).find((m) => m.subject === 'exercise started')!;
    expect(notice.message).not.toMatch(/cache-killed|cache-paused/);
    const exerciseId = notice.drillId;
    expect(exerciseId.startsWith(`${id}-run-`)).toBe(true);

    // Async: the worker answering the queries runs in this process.
    const cli = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((done) => execFile(process.execPath, ['dist/cli/main.js', ...args],
      { encoding: 'utf8', env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DRILL_TOKEN: '' } },
      (err, stdout, stderr) => done({ code: err ? Number(err.code) : 0, stdout, stderr })));
    let view: { role: string; exercise?: { choice: { scenario: string } } } | undefined;
    await expect.poll(async () => {
      const r = await cli('exercise', 'status', exerciseId, '--token', tokens.facilitator, '--json');
      view = r.code === 0 ? JSON.parse(r.stdout) : undefined;
      return view?.role;
    }, { timeout: 30_000, interval: 500 }).toBe('facilitator');
    const participant = await cli('exercise', 'status', exerciseId, '--token', tokens.participants.alice!, '--json');
    expect(JSON.parse(participant.stdout)).toMatchObject({ role: 'participant', you: 'alice' });
    expect(participant.stdout).not.toContain(view!.exercise!.choice.scenario);

    expect((await cli('exercise', 'abort', exerciseId, '--token', tokens.facilitator)).code).toBe(0);
    const handle = h.client.schedule.getHandle(id);
    const run = (await handle.describe()).info.recentActions[0]!.action.workflow;
    const outcome = await h.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result() as { drillId: string; status: string };
    expect(outcome.status).toBe('aborted');
    expect(await leftovers(outcome.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    expect(drill('schedule', 'delete', id).code).toBe(0);
  });
});
