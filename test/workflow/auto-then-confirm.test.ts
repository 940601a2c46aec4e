// A manual step with `auto` in a drill people run: the automation runs first (its output recorded and
// shown on the waiting step), then a person confirms. A failed automation is a breakdown and the step
// waits for the person to do it by hand. Real Temporal, real containers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { resourceName } from '../../activities/names.js';
import { completeStepUpdate, statusQuery } from '../../workflows/messages.js';
import { docker, harness, leftovers, specFrom, uniqueId } from '../support/harness.js';

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

const scenario = `
version: 1
name: auto-then-confirm
participants:
  alice: [operator]
topology:
  containers:
    web: { image: drill/redis:latest, ports: [6379] }
probes:
  up: { kind: availability, target: { container: web, port: 6379 }, interval: 100ms, sustain: 300ms }
objectives:
  - { system: web, rto: 5m, rpo: 0s, availability: up }
steps:
  - { id: healthy, kind: wait, probe: up, until: healthy, timeout: 30s }
  - { id: outage, kind: fault, docker: { action: stop, target: web } }
  - { id: restart, kind: manual, runbook: Start the web service again, verify: up, auto: { action: start, target: web } }
  - { id: check, kind: manual, runbook: Check the service answers, auto: { action: exec, target: web, command: [redis-cli, ping] } }
  - { id: flush, kind: manual, runbook: Flush the stale keys, auto: { action: exec, target: web, command: [sh, -c, 'echo no such tool >&2; exit 3'] } }
`;

const waitingOn = (handle: WorkflowHandle, step: string) =>
  expect.poll(async () => (await handle.query(statusQuery)).waiting?.id, { timeout: 60_000, interval: 300 }).toBe(step);
const waitingText = async (handle: WorkflowHandle) => (await handle.query(statusQuery)).waiting!.text;

describe('auto actions of manual steps when people run the drill', () => {
  it('runs the automation, then waits for a person to confirm; a failed automation is a breakdown the person works around', async () => {
    const spec = specFrom(scenario, uniqueId('atc'), 'people');
    const handle = await h.start(spec);

    await waitingOn(handle, 'restart');
    // The automation has started the service before anyone confirmed; the step still waits for a person.
    expect((await docker.getContainer(resourceName(spec.drillId, 'web')).inspect()).State.Running).toBe(true);
    expect(await waitingText(handle)).toBe('Start the web service again\nThe automation ran (start web). Check what it did, then confirm.');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await handle.query(statusQuery)).waiting?.id).toBe('restart');
    expect(await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'restart', by: 'alice' }] })).toMatchObject({ status: 'completed' });

    await waitingOn(handle, 'check');
    expect(await waitingText(handle)).toMatch(/^Check the service answers\nThe automation ran \(exec web\); it printed: PONG\. Check what it did, then confirm\.$/);
    await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'check', by: 'alice' }] });

    await waitingOn(handle, 'flush');
    expect(await waitingText(handle)).toMatch(/^Flush the stale keys\nThe automation \(exec web\) FAILED: .*exited 3.*no such tool.*Recorded as a breakdown/s);
    await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'flush', by: 'alice', workaround: 'flushed them by hand' }] });

    const record = await handle.result();
    expect(record.status, record.failure).toBe('completed');
    const step = Object.fromEntries(record.steps.map((s) => [s.id, s]));
    expect(step.restart).toMatchObject({ status: 'completed', confirmedBy: 'alice' });
    expect(step.check).toMatchObject({ status: 'completed', confirmedBy: 'alice' });
    expect(step.check!.output).toContain('PONG');
    expect(step.flush).toMatchObject({ status: 'completed', confirmedBy: 'alice', workaround: 'flushed them by hand' });
    expect(record.breakdowns).toEqual([expect.objectContaining({ step: 'flush', code: 'system-differs', effect: 'prolonged', by: 'auto', source: 'verification' })]);
    expect(record.breakdowns[0]!.note).toMatch(/^the automation \(exec web\) failed: .*exited 3/);
    expect(record.breakdowns[0]!.lostMs).toBeGreaterThan(0);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
