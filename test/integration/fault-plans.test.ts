// Fault plans run by the drill workflow on real containers: seeded choices, parallel and background
// faults, guardrails, the blast radius, and the heal that happens however the drill ends.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillRecord } from '../../model/record.js';
import { planFaults } from '../../model/plan.js';
import { statusQuery, abortSignal } from '../../workflows/messages.js';
import { docker, harness, leftovers, specFrom, uniqueId } from '../support/harness.js';
import { tail } from '../support/ledger.js';

let h: Awaited<ReturnType<typeof harness>>;
let chaos: string;
beforeAll(async () => {
  h = await harness();
  chaos = await readFile('test/fixtures/chaos.yaml', 'utf8');
});
afterAll(async () => { await h?.close(); });

/** Every fault the drill started to inject was healed, whether or not its injection finished. */
function allHealed(record: DrillRecord) {
  const open = (record.faults ?? []).filter((f) => f.healedAt === undefined);
  expect(open.map((f) => `${f.type} on ${f.target}: ${f.healError ?? 'not healed'}`)).toEqual([]);
}

describe('fault plans', () => {
  it('injects seeded, parallel and background faults, verifies each, and heals them all', async () => {
    const spec = specFrom(chaos);
    const record = await h.run(spec);
    expect(record.status, tail(record)).toBe('completed');
    expect(record.seed).toBe(42);
    const chosen = planFaults(spec, 42)['pause-two']!;
    expect(chosen).toHaveLength(2);
    expect(record.faults!.filter((f) => f.step === 'pause-two').map((f) => f.target).sort()).toEqual([...chosen].sort());
    expect(planFaults(specFrom(chaos), 42)).toEqual(planFaults(spec, 42));
    expect(planFaults(spec, 2)['pause-two']).toEqual(['cache-3', 'cache-2']); // another seed, another choice
    for (const f of record.faults!) {
      expect(f.evidence, f.type).toBeTruthy();
      expect(f.healEvidence, f.type).toBeTruthy();
    }
    // The paused pair healed after its 2s; the background latency held until the drill ended.
    const pause = record.faults!.find((f) => f.step === 'pause-two')!;
    expect(pause.healedAt! - pause.effectAt!).toBeGreaterThanOrEqual(2000);
    const latency = record.faults!.find((f) => f.step === 'slow-vault-link')!;
    expect(latency.healedAt!).toBeGreaterThan(record.steps.find((s) => s.id === 'back')!.endedAt! - 1);
    // t0 is declared on the pause: the first of the paused pair to take effect.
    expect(record.t0).toBe(Math.min(...record.faults!.filter((f) => f.step === 'pause-two').map((f) => f.effectAt!)));
    allHealed(record);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('heals every fault in place and removes everything when aborted at any step', async () => {
    const plan = chaos.replace('duration: 2s }', '}').replace('{ id: hold, kind: wait, for: 2s }', '{ id: hold, kind: wait, for: 60s }');
    for (const stepId of ['chaos', 'hold', 'back']) {
      const spec = specFrom(plan.replace('{ id: back, kind: wait, probe: cache-up, until: healthy, timeout: 30s }', '{ id: back, kind: wait, probe: cache-up, until: down, timeout: 60s }'), uniqueId(`abort-${stepId}`));
      const handle = await h.start(spec);
      for (let i = 0; i < 600; i++) {
        const v = await handle.query(statusQuery);
        const running = v.steps.find((s) => s.status === 'running' && s.id === stepId);
        if (running && (stepId !== 'chaos' || (v.activeFaults ?? []).length > 0)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await handle.signal(abortSignal, `abort at ${stepId}`);
      const record = await handle.result();
      expect(record.status, stepId).toBe('aborted');
      expect(record.faults!.length, stepId).toBeGreaterThan(0);
      allHealed(record);
      expect(record.timeline.filter((e) => e.type === 'fault.healed').length, stepId).toBe(record.faults!.length);
      expect(await leftovers(spec.drillId), stepId).toEqual({ containers: 0, networks: 0, volumes: 0 });
    }
  });

  it('aborts when a guardrail fails, says which, and heals before removing anything', async () => {
    const plan = chaos
      .replace('blastRadius: { maxContainers: 3 }', 'blastRadius: { maxContainers: 4 }')
      .replace('{ id: hold, kind: wait, for: 2s }', '{ id: hold, kind: fault, fault: { type: stop, target: vault } }\n  - { id: linger, kind: wait, for: 30s }');
    const spec = specFrom(plan);
    const record = await h.run(spec);
    expect(record.status, tail(record)).toBe('aborted');
    expect(record.failure).toMatch(/^guardrail vault-up fired: failing since \S+ \(.+\), longer than its tolerance of 1\.0s$/);
    expect(record.steps.find((s) => s.id === 'linger')!.status).toBe('aborted');
    const stop = record.faults!.find((f) => f.step === 'hold')!;
    expect(stop.healEvidence).toBeTruthy();
    const healedAt = record.timeline.find((e) => e.type === 'fault.healed' && e.step === 'hold')!.at;
    const removedAt = record.timeline.find((e) => e.type === 'cleanup.done')!.at;
    expect(healedAt).toBeLessThanOrEqual(removedAt);
    allHealed(record);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('refuses to start when the faults would touch more containers than the blast radius allows', async () => {
    const spec = specFrom(chaos.replace('blastRadius: { maxContainers: 3 }', 'blastRadius: { maxContainers: 2 }'));
    const record = await h.run(spec);
    expect(record.status).toBe('failed');
    expect(record.failure).toMatch(/^blast radius: the faults would touch 3 containers \(cache-\d, cache-\d, cache-3\), more than blastRadius\.maxContainers 2$/);
    expect(record.faults).toEqual([]);
    expect(record.timeline.some((e) => e.type === 'topology.provisioned')).toBe(false);
  });

  it('never touches a container outside the drill, even one named like a drill container', async () => {
    // Every cache paused, and the latency moved to the vault: all the drill's containers are in reach.
    const spec = specFrom(chaos.replace('random: 2 }', 'random: 3 }').replace('target: cache-3, network: net', 'target: vault, network: net').replace('blastRadius: { maxContainers: 3 }', 'blastRadius: { maxContainers: 4 }'));
    // A look-alike of one of the drill's own containers, created before the drill and without its label.
    const decoy = await docker.createContainer({ name: `${spec.drillId}-decoy`, Image: 'drill/redis:latest', Labels: { role: 'cache' } });
    await decoy.start();
    try {
      const record = await h.run(spec);
      expect(record.status, tail(record)).toBe('completed');
      expect(record.faults!.map((f) => f.target)).not.toContain('decoy');
      const state = (await decoy.inspect()).State;
      expect(state.Running && !state.Paused).toBe(true);
      expect(new Date(state.StartedAt).getTime()).toBeLessThan(record.startedAt);
    } finally {
      await decoy.remove({ force: true });
    }
  });
});
