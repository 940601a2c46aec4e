// The orchestrator crashing mid-drill: a separate worker process is SIGKILLed while a step's command
// runs inside a container, and another worker is started. The drill completes, no step's effect
// happens twice, the probes resume, and the report is complete.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { buildReport } from '../../report/build.js';
import { drillWorkflow } from '../../workflows/drill.js';
import { statusQuery } from '../../workflows/messages.js';
import { leftovers, specFrom, temporalAddress, uniqueId } from '../support/harness.js';

const WORKER = 'dist/worker/main.js';
const workers: ChildProcess[] = [];

function startWorker(taskQueue: string): ChildProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DRILL_TASK_QUEUE: taskQueue }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  workers.push(child);
  return child;
}

afterEach(() => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
});

const scenario = `
version: 1
name: crash
topology:
  networks: [net]
  volumes: [data]
  containers:
    box:
      image: drill/redis:latest
      networks: [net]
      volumes: { data: /data }
      ports: [6379]
probes:
  up: { kind: availability, target: { container: box, port: 6379 } }
  ledger: { kind: ledger, target: { container: box, port: 6379 } }
objectives:
  - { system: box, rto: 30s, rpo: 0s, availability: up, ledger: ledger }
steps:
  - { id: s1, kind: docker, docker: { action: exec, target: box, command: [sh, -c, "echo s1 >> /data/log"] } }
  - { id: s2, kind: docker, docker: { action: exec, target: box, command: [sh, -c, "echo s2-start >> /data/log; sleep 6; echo s2-end >> /data/log"] } }
  - { id: s3, kind: wait, for: 1s }
  - { id: s4, kind: manual, runbook: append, auto: { action: exec, target: box, command: [sh, -c, "echo s4 >> /data/log"] } }
  - { id: s5, kind: docker, docker: { action: exec, target: box, command: [cat, /data/log] } }
  - { id: s6, kind: verify, probe: ledger }
`;

describe('worker killed mid-drill', () => {
  it('completes on a new worker with every effect exactly once', async () => {
    expect(existsSync(WORKER), 'run `npm run build` first').toBe(true);
    const taskQueue = uniqueId('kill');
    const spec = specFrom(scenario);
    const connection = await Connection.connect({ address: temporalAddress() });
    try {
      const client = new Client({ connection });
      const first = startWorker(taskQueue);
      const handle = await client.workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] });
      await expect.poll(async () => (await handle.query(statusQuery).catch(() => null))?.steps[1]!.status, { timeout: 90_000, interval: 200 }).toBe('running');
      await new Promise((r) => setTimeout(r, 1500));
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      startWorker(taskQueue);
      const record = await handle.result();

      expect(record.status, record.failure).toBe('completed');
      expect(record.steps.map((s) => s.status)).toEqual(spec.steps.map(() => 'completed'));
      expect(record.steps[4]!.output!.trim().split('\n')).toEqual(['s1', 's2-start', 's2-end', 's4']);

      const ledger = record.ledger.ledger!;
      const seqs = ledger.writes.map(([seq]) => seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(ledger.readback).toBeDefined();
      const report = buildReport(record);
      expect(report.steps.every((s) => s.startedAt && s.endedAt && s.durationMs !== undefined)).toBe(true);
      // With no fault there is no outage: the ledger must show no acknowledged write lost across the crash.
      const acked = ledger.writes.filter(([, , ack]) => ack >= 0).map(([seq]) => seq);
      const present = new Set(ledger.readback!.present.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)));
      expect(acked.filter((s) => !present.has(s))).toEqual([]);
      expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    } finally {
      await connection.close();
    }
  });

  it('heals a fault after the worker that injected it was killed: the workflow drives the heal', async () => {
    const taskQueue = uniqueId('kill-fault');
    const spec = specFrom(`
version: 1
name: crash-fault
topology:
  networks: [net]
  containers:
    box: { image: drill/redis:latest, networks: [net], ports: [6379] }
    peer: { image: drill/redis:latest, networks: [net] }
probes:
  up: { kind: availability, target: { container: box, port: 6379 } }
objectives:
  - { system: box, rto: 30s, rpo: 0s, availability: up }
steps:
  - { id: steady, kind: wait, probe: up, until: healthy, timeout: 60s }
  - { id: freeze, kind: fault, fault: { type: pause, target: peer }, duration: 8s }
  - { id: after, kind: wait, for: 1s }
`);
    const connection = await Connection.connect({ address: temporalAddress() });
    try {
      const client = new Client({ connection });
      const first = startWorker(taskQueue);
      const handle = await client.workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] });
      await expect.poll(async () => (await handle.query(statusQuery).catch(() => null))?.activeFaults?.length ?? 0, { timeout: 90_000, interval: 200 }).toBe(1);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      startWorker(taskQueue);
      const record = await handle.result();
      expect(record.status, record.failure).toBe('completed');
      const [freeze] = record.faults!;
      expect(freeze!.healedAt! - freeze!.effectAt!).toBeGreaterThanOrEqual(8000);
      expect(freeze!.healEvidence).toBeTruthy();
      expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    } finally {
      await connection.close();
    }
  });
});
