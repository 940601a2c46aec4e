// A drill waiting days on a person must depend on no process staying up: while a manual step waits,
// the worker is SIGKILLed and this test's own Temporal dev server is stopped and restarted on its
// database file. The drill still waits on the same step and completes when the participant confirms.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { freeLoopbackPort } from '../../activities/docker.js';
import { resourceName } from '../../activities/names.js';
import { ensureTemporalCli, startDevServer, type DevServer } from '../../setup/temporal-server.js';
import { buildReport } from '../../report/build.js';
import { drillWorkflow } from '../../workflows/drill.js';
import { completeStepUpdate, statusQuery } from '../../workflows/messages.js';
import { docker, leftovers, specFrom, uniqueId } from '../support/harness.js';

const WORKER = 'dist/worker/main.js';
const workers: ChildProcess[] = [];
let dir = '';
let server: DevServer | undefined;
let serverOpts: Parameters<typeof startDevServer>[0];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drill-test-restart-'));
  serverOpts = {
    cli: ensureTemporalCli((s) => console.log(s)), port: await freeLoopbackPort(), uiPort: await freeLoopbackPort(),
    dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log'), detached: false,
  };
  server = await startDevServer(serverOpts);
});
afterEach(() => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
});
afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function startWorker(address: string, taskQueue: string): ChildProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, TEMPORAL_ADDRESS: address, DRILL_TASK_QUEUE: taskQueue }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  workers.push(child);
  return child;
}

const scenario = `
version: 1
name: people-restart
topology:
  containers:
    box: { image: drill/redis:latest, ports: [6379] }
probes:
  up: { kind: availability, target: { container: box, port: 6379 } }
objectives:
  - { system: box, rto: 5m, rpo: 0s, availability: up }
steps:
  - { id: outage, kind: fault, docker: { action: stop, target: box } }
  - { id: restart-box, kind: manual, runbook: Start the box again, verify: up, expected: 5s }
  - { id: sign-off, kind: manual, runbook: Sign the drill off }
`;

const waitingOn = (handle: WorkflowHandle, step: string) =>
  expect.poll(async () => (await handle.query(statusQuery).catch(() => null))?.waiting?.id, { timeout: 90_000, interval: 500 }).toBe(step);

describe('a manual step across restarts', () => {
  it('keeps waiting through a worker kill and a server restart, then completes on confirmation', async () => {
    expect(existsSync(WORKER), 'run `npm run build` first').toBe(true);
    const spec = specFrom(scenario, uniqueId('rst'), 'people');
    const taskQueue = uniqueId('restart');
    const address = server!.address;
    const before = await Connection.connect({ address });
    const first = startWorker(address, taskQueue);
    const started = await new Client({ connection: before }).workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] });
    await waitingOn(started, 'restart-box');
    const waitingSince = (await started.query(statusQuery)).waiting!.since;

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await server!.stop();
    await before.close().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5000)); // time passes while nothing runs
    server = await startDevServer(serverOpts);
    expect(server.address).toBe(address);

    const connection = await Connection.connect({ address });
    try {
      const handle = new Client({ connection }).workflow.getHandle<typeof drillWorkflow>(spec.drillId);
      startWorker(address, taskQueue);
      await waitingOn(handle, 'restart-box');
      const view = await handle.query(statusQuery);
      expect(view.waiting!.since).toBe(waitingSince);
      expect(view.steps.map((s) => s.status)).toEqual(['completed', 'waiting', 'pending']);

      await docker.getContainer(resourceName(spec.drillId, 'box')).start(); // the participant does the work
      expect(await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'restart-box', by: 'alice', note: 'started it' }] }))
        .toMatchObject({ step: 'restart-box', status: 'completed' });
      await waitingOn(handle, 'sign-off');
      expect(await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'sign-off', by: 'bob' }] }))
        .toMatchObject({ step: 'sign-off', status: 'completed' });

      const record = await handle.result();
      expect(record.status, record.failure).toBe('completed');
      expect(record.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
      expect(record.steps[1]).toMatchObject({ confirmedBy: 'alice', note: 'started it', overrun: true });
      expect(record.steps[2]).toMatchObject({ confirmedBy: 'bob' });
      // Replays after the restarts re-run the code, never the history: each event exists once.
      const count = (type: string, step: string) => record.timeline.filter((e) => e.type === type && e.step === step).length;
      expect(count('step.waiting', 'restart-box')).toBe(1);
      expect(count('step.overrun', 'restart-box')).toBe(1);
      expect(count('manual.confirmed', 'restart-box')).toBe(1);
      expect(count('fault.injected', 'outage')).toBe(1);
      expect(record.timeline.filter((e) => e.type === 'step.failed' || e.type === 'probe.failed')).toEqual([]);
      // While nothing ran, nothing was sampled: the report says so rather than bridging the gap.
      expect(buildReport(record).objectives[0]!.note).toMatch(/up has no samples from \S+ to \S+ \(\d+(\.\d+)?s; the orchestrator was not sampling\)/);
      expect(record.cleanup).toMatchObject({ containers: 1 });
      expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    } catch (err) {
      console.error(`dev server log tail:\n${readFileSync(serverOpts.logFile, 'utf8').split('\n').slice(-20).join('\n')}`);
      throw err;
    } finally {
      await connection.close();
    }
  });
});
