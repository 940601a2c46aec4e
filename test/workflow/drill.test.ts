// drillWorkflow on the real Temporal dev server with real containers: step order, timing, failure
// handling, abort, and cleanup that leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusQuery, abortSignal } from '../../workflows/messages.js';
import { docker, harness, leftovers, specFrom, uniqueId } from '../support/harness.js';

const scenario = (steps: string) => `
version: 1
name: wf
topology:
  networks: [net]
  volumes: [data]
  containers:
    web:
      image: drill/redis:latest
      networks: [net]
      volumes: { data: /data }
      ports: [6379]
probes:
  up: { kind: availability, target: { container: web, port: 6379 }, interval: 100ms, sustain: 300ms }
objectives:
  - { system: web, rto: 30s, rpo: 0s, availability: up }
steps:
${steps}`;

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

describe('drillWorkflow', () => {
  it('runs steps in order, times them, takes t0 from the fault, and removes everything it created', async () => {
    const spec = specFrom(scenario(`
  - { id: healthy, kind: wait, probe: up, until: healthy, timeout: 30s }
  - { id: write, kind: docker, docker: { action: exec, target: web, command: [sh, -c, "echo hello > /data/f && cat /data/f"] } }
  - { id: settle, kind: wait, for: 500ms, expected: 1s }
  - { id: crash, kind: fault, docker: { action: kill, target: web } }
  - { id: down, kind: wait, probe: up, until: down, timeout: 10s }
  - { id: revive, kind: manual, runbook: Start the web container again, expected: 1m, auto: { action: start, target: web } }
  - { id: back, kind: verify, probe: up, timeout: 30s }
`));
    const record = await h.run(spec);
    expect(record.status).toBe('completed');
    expect(record.steps.map((s) => [s.id, s.status])).toEqual(spec.steps.map((s) => [s.id, 'completed']));
    const byId = Object.fromEntries(record.steps.map((s) => [s.id, s]));
    expect(byId.write!.output).toContain('hello');
    expect(byId.settle!.durationMs).toBeGreaterThanOrEqual(500);
    expect(byId.settle!.expectedMs).toBe(1000);
    for (let i = 1; i < record.steps.length; i++) expect(record.steps[i]!.startedAt!).toBeGreaterThanOrEqual(record.steps[i - 1]!.endedAt!);
    expect(record.t0).toBe(byId.crash!.effectAt);
    expect(record.t0!).toBeGreaterThanOrEqual(byId.crash!.startedAt! - 1000);
    const runs = record.availability.up!;
    expect(runs.some((r) => !r.ok && r.firstAt >= record.t0!)).toBe(true);
    expect(record.cleanup).toMatchObject({ containers: 1, networks: 1, volumes: 1 });
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('pauses, unpauses, disconnects and reconnects a container, each seen by the probe', async () => {
    const spec = specFrom(scenario(`
  - { id: healthy, kind: wait, probe: up, until: healthy, timeout: 30s }
  - { id: freeze, kind: docker, docker: { action: pause, target: web } }
  - { id: frozen, kind: wait, probe: up, until: down, timeout: 20s }
  - { id: thaw, kind: docker, docker: { action: unpause, target: web } }
  - { id: thawed, kind: wait, probe: up, until: healthy, timeout: 30s }
  - { id: cut, kind: docker, docker: { action: disconnect, target: web, network: net } }
  - { id: isolated, kind: docker, docker: { action: exec, target: web, command: [ls, /sys/class/net] } }
  - { id: rejoin, kind: docker, docker: { action: connect, target: web, network: net } }
  - { id: rejoined, kind: docker, docker: { action: exec, target: web, command: [ls, /sys/class/net] } }
`));
    const record = await h.run(spec);
    expect(record.status, record.failure).toBe('completed');
    const out = Object.fromEntries(record.steps.map((s) => [s.id, s.output ?? '']));
    expect(out.isolated!.trim().split(/\s+/)).toEqual(['lo']);
    expect(out.rejoined!.trim().split(/\s+/)).toEqual([expect.stringMatching(/^eth\d$/), 'lo']);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('aborts on a failed step by default, skipping the rest, and still cleans up', async () => {
    const spec = specFrom(scenario(`
  - { id: fails, kind: docker, docker: { action: exec, target: web, command: [sh, -c, "echo broken >&2; exit 7"] } }
  - { id: never, kind: wait, for: 1s }
`));
    const record = await h.run(spec);
    expect(record.status).toBe('failed');
    expect(record.failure).toContain('exited 7');
    expect(record.steps.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(record.steps[0]!.error).toContain('broken');
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('goes on past a failed step marked onFailure: continue', async () => {
    const spec = specFrom(scenario(`
  - { id: fails, kind: docker, onFailure: continue, docker: { action: exec, target: web, command: [sh, -c, "exit 3"] } }
  - { id: after, kind: wait, for: 200ms }
`));
    const record = await h.run(spec);
    expect(record.status).toBe('completed');
    expect(record.steps.map((s) => s.status)).toEqual(['failed', 'completed']);
  });

  it('stops on abort, marks the running step aborted, and cleans up', async () => {
    const spec = specFrom(scenario(`
  - { id: long, kind: wait, for: 10m }
  - { id: never, kind: wait, for: 1s }
`));
    const handle = await h.start(spec);
    await expect.poll(async () => (await handle.query(statusQuery)).steps[0]!.status, { timeout: 60_000, interval: 250 }).toBe('running');
    await handle.signal(abortSignal, 'facilitator ended the exercise');
    const record = await handle.result();
    expect(record.status).toBe('aborted');
    expect(record.failure).toBe('facilitator ended the exercise');
    expect(record.steps.map((s) => s.status)).toEqual(['aborted', 'skipped']);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('never touches a container that lacks the drill label, even one with a drill-like name', async () => {
    const drillId = uniqueId('t');
    const decoy = await docker.createContainer({ name: `drill-${drillId}-web`, Image: 'drill/redis:latest', Labels: { purpose: 'decoy' } });
    await decoy.start();
    try {
      const record = await h.run(specFrom(scenario(`  - { id: poke, kind: docker, docker: { action: stop, target: web } }`), drillId));
      expect(record.status).toBe('failed');
      expect(record.failure).toContain('not labelled drill.run=');
      const info = await decoy.inspect();
      expect(info.State.Running).toBe(true);
    } finally {
      await decoy.remove({ force: true });
    }
  });
});
