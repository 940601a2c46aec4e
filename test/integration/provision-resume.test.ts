// Provisioning that a crash, an abort or a stranger's resource cannot turn into a broken drill: a real
// worker process SIGKILLed at the moment the engine reports a resource of the drill created (watched on
// Docker's event stream), an abort while containers are being created, and a network or volume that
// already exists under the drill's name without its label.
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { resourceName } from '../../activities/names.js';
import type { DrillSpec } from '../../model/spec.js';
import { drillWorkflow } from '../../workflows/drill.js';
import { abortSignal, statusQuery } from '../../workflows/messages.js';
import { docker, harness, leftovers, specFrom, temporalAddress, uniqueId } from '../support/harness.js';
import { exited, killNow, startWorker, watchDrill, type EngineEvent } from '../support/worker-process.js';

const workers: ChildProcess[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await killNow(w);
});

// Every container on two or three networks: a container's later networks are joined after its create.
const topology = `
version: 1
name: resume
topology:
  networks: [n1, n2, n3]
  volumes: [data]
  containers:
    a: { image: drill/redis:latest, networks: [n1, n2, n3], volumes: { data: /data }, ports: [6379] }
    b: { image: drill/base:bookworm, command: [sleep, infinity], networks: [n2, n3, n1] }
    c: { image: drill/base:bookworm, command: [sleep, infinity], networks: [n3, n1] }
    d: { image: drill/base:bookworm, command: [sleep, infinity], networks: [n1, n2] }
probes:
  up: { kind: availability, target: { container: a, port: 6379 } }
objectives:
  - { system: a, rto: 30s, rpo: 0s, availability: up }
`;
const hold = `${topology}
steps:
  - { id: hold, kind: wait, for: 6s }
  - { id: touch, kind: docker, docker: { action: exec, target: a, command: [sh, -c, "echo once >> /data/log; cat /data/log"] } }
`;

/** Each container of the drill, as the engine has it: on every network of its spec, under its own name. */
async function networksOf(spec: DrillSpec): Promise<Record<string, { running: boolean; networks: Record<string, boolean> }>> {
  const out: Record<string, { running: boolean; networks: Record<string, boolean> }> = {};
  for (const [name, c] of Object.entries(spec.topology.containers)) {
    const info = await docker.getContainer(resourceName(spec.drillId, name)).inspect();
    const attached = info.NetworkSettings.Networks ?? {};
    out[name] = {
      running: info.State.Running,
      networks: Object.fromEntries(c.networks.map((n) => [n, attached[resourceName(spec.drillId, n)]?.Aliases?.includes(name) ?? false])),
    };
  }
  return out;
}

const allConnected = (spec: DrillSpec) => Object.fromEntries(Object.entries(spec.topology.containers).map(([name, c]) => [name, { running: true, networks: Object.fromEntries(c.networks.map((n) => [n, true])) }]));

const moments: [string, (e: EngineEvent) => boolean][] = [
  ['just after the create of a container on three networks', (e) => e.Type === 'container' && e.Action === 'create'],
  ['just after the create of the second container', (() => { let n = 0; return (e: EngineEvent) => e.Type === 'container' && e.Action === 'create' && ++n === 2; })()],
];

/**
 * Starts the drill on a real worker process, SIGKILLs that worker at the first engine event `moment`
 * matches, starts a fresh worker on the same queue, and hands the drill's handle to `check`.
 */
async function killWorkerAt(spec: DrillSpec, moment: (e: EngineEvent) => boolean, check: (handle: WorkflowHandle<typeof drillWorkflow>) => Promise<void>): Promise<void> {
  const taskQueue = uniqueId('resume');
  const connection = await Connection.connect({ address: temporalAddress() });
  const first = startWorker(taskQueue, workers);
  let kill!: () => void;
  const killed = new Promise<void>((r) => { kill = r; });
  let done = false;
  const stop = await watchDrill(spec.drillId, (e) => {
    if (done || !moment(e)) return;
    done = true;
    first.kill('SIGKILL');
    kill();
  });
  try {
    const handle = await new Client({ connection }).workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] });
    await killed;
    await exited(first);
    startWorker(taskQueue, workers);
    await check(handle);
  } finally {
    stop();
    await connection.close();
  }
}

describe('provisioning resumed after a worker is SIGKILLed', () => {
  it.each(moments)('%s: the drill completes on a new worker, every container on all its networks', async (_, moment) => {
    const spec = specFrom(hold);
    await killWorkerAt(spec, moment, async (handle) => {
      await expect.poll(async () => (await handle.query(statusQuery).catch(() => null))?.phase, { timeout: 120_000, interval: 200 }).toBe('steps');
      expect(await networksOf(spec)).toEqual(allConnected(spec));
      const record = await handle.result();
      expect(record.status, record.failure).toBe('completed');
      expect(record.steps.find((s) => s.id === 'touch')!.output!.trim()).toBe('once');
      expect(record.timeline.filter((e) => e.type === 'topology.provisioned')).toHaveLength(1);
      expect(record.cleanup).toMatchObject({ containers: 4, networks: 3, volumes: 1 });
      expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    });
  });
});

describe('teardown resumed after a worker is SIGKILLed', () => {
  it('just after the first container is removed: the retry removes the rest and counts everything removed', async () => {
    const spec = specFrom(`${topology}
steps:
  - { id: hold, kind: wait, for: 1s }
`);
    await killWorkerAt(spec, (e) => e.Type === 'container' && e.Action === 'destroy', async (handle) => {
      const record = await handle.result();
      expect(record.status, record.failure).toBe('completed');
      expect(record.cleanup).toEqual({ containers: 4, networks: 3, volumes: 1 });
      expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    });
  });
});

describe('provisioning aborted', () => {
  it('stops creating once the drill is aborted, and the first teardown attempt removes everything', async () => {
    const more = ['e: { image: drill/base:bookworm, command: [sleep, infinity], networks: [n1, n2, n3] }',
      'f: { image: drill/base:bookworm, command: [sleep, infinity], networks: [n2, n3] }',
      'g: { image: drill/base:bookworm, command: [sleep, infinity], networks: [n3, n1] }'].map((c) => `    ${c}\n`).join('');
    const spec = specFrom(`${topology.replace('  containers:\n', `  containers:\n${more}`)}
steps:
  - { id: hold, kind: wait, for: 1s }
`);
    const h = await harness();
    const creates: number[] = [];
    let aborted: Promise<void> | undefined;
    try {
      const handle = await h.start(spec);
      const stop = await watchDrill(spec.drillId, (e) => {
        if (e.Type !== 'container' || e.Action !== 'create') return;
        creates.push(Date.now());
        aborted ??= handle.signal(abortSignal, 'abort while provisioning');
      });
      const record = await handle.result();
      await aborted;
      // Anything still creating would show up now, after the drill said it cleaned up.
      await new Promise((r) => setTimeout(r, 3000));
      stop();
      expect(record.status).toBe('aborted');
      expect(record.cleanup?.error).toBeUndefined();
      const ended = record.timeline.find((e) => e.type === 'cleanup.done')!.at;
      expect(creates.filter((t) => t > ended)).toEqual([]);
      expect(record.cleanup!.containers).toBe(creates.length);
      expect(await teardownAttempts(h.client, spec.drillId)).toEqual([1]);
      expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
    } finally {
      await h.close();
    }
  });
});

/** The attempt that completed each teardown activity of the drill, from its history. */
async function teardownAttempts(client: Client, workflowId: string): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Set(history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'teardown').map((e) => String(e.eventId)));
  return history.events!.filter((e) => scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId))).map((e) => e.activityTaskStartedEventAttributes!.attempt!);
}

describe('a network or volume under the drill\'s name that is not the drill\'s', () => {
  for (const kind of ['volume', 'network'] as const) {
    it(`an unlabelled ${kind} is refused, left as it was, and nothing is created`, async () => {
      const spec = specFrom(`${topology}
steps:
  - { id: hold, kind: wait, for: 1s }
`);
      const foreign = resourceName(spec.drillId, kind === 'volume' ? 'data' : 'n2');
      if (kind === 'volume') await docker.createVolume({ Name: foreign, Labels: { owner: 'someone-else' } });
      else await docker.createNetwork({ Name: foreign, Labels: { owner: 'someone-else' } });
      const created: string[] = [];
      const stop = await watchDrill(spec.drillId, (e) => { if (e.Action === 'create') created.push(`${e.Type} ${e.Actor.Attributes.name ?? e.Actor.ID}`); });
      const h = await harness();
      try {
        const record = await h.run(spec);
        expect(record.status).toBe('failed');
        expect(record.failure).toContain(`${kind} ${foreign} exists but is not labelled drill.run=${spec.drillId}`);
        expect(created).toEqual([]);
        const after = kind === 'volume' ? await docker.getVolume(foreign).inspect() : await docker.getNetwork(foreign).inspect();
        expect(after.Labels).toEqual({ owner: 'someone-else' });
        expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
      } finally {
        stop();
        await h.close();
        if (kind === 'volume') await docker.getVolume(foreign).remove();
        else await docker.getNetwork(foreign).remove();
      }
    });
  }
});
