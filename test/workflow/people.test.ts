// People in the drill, through the Workflow Update API on the real server with real containers:
// gates and roles, confirmations the system contradicts, breakdowns, refusals, timers, notifications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { refusalReason } from '../../cli/operator.js';
import { buildReport } from '../../report/build.js';
import { renderMarkdown } from '../../report/markdown.js';
import { completeStepUpdate, decideUpdate, reportBreakdownUpdate, skipStepUpdate, statusQuery } from '../../workflows/messages.js';
import { docker, harness, specFrom, uniqueId } from '../support/harness.js';
import { resourceName } from '../../activities/names.js';
import { webhookReceiver } from '../support/webhook.js';

let h: Awaited<ReturnType<typeof harness>>;
let hook: Awaited<ReturnType<typeof webhookReceiver>>;
beforeAll(async () => {
  h = await harness();
  hook = await webhookReceiver();
});
afterAll(async () => { await h?.close(); hook?.close(); });

const scenario = () => `
version: 1
name: people
participants:
  cho: [chief-officer]
  alice: [operator]
escalation: { webhook: "${hook.url}" }
topology:
  networks: [net]
  containers:
    web: { image: drill/redis:latest, networks: [net], ports: [6379] }
probes:
  up: { kind: availability, target: { container: web, port: 6379 }, interval: 100ms, sustain: 300ms }
objectives:
  - { system: web, rto: 6s, rpo: 0s, availability: up }
steps:
  - { id: healthy, kind: wait, probe: up, until: healthy, timeout: 30s }
  - { id: outage, kind: fault, docker: { action: stop, target: web } }
  - { id: declare, kind: gate, decision: Declare the disaster and activate the plan, role: chief-officer }
  - { id: tell-vendor, kind: notify, audience: vendor, to: storage vendor hotline, message: Primary store lost }
  - { id: restart, kind: manual, runbook: Start the web service again, verify: up, timeout: 3s, expected: 1s, escalateAfter: 2s }
  - { id: paperwork, kind: manual, runbook: File the change record }
`;

const waitingOn = (handle: WorkflowHandle, step: string) =>
  expect.poll(async () => { const v = await handle.query(statusQuery); return v.waiting?.id; }, { timeout: 60_000, interval: 500 }).toBe(step);
const refused = (p: Promise<unknown>) => p.then(() => 'accepted', (e) => refusalReason(e));

describe('people in the drill', () => {
  it('records decisions, notifications, contradicted confirmations, breakdowns and timers, and refuses what cannot apply', async () => {
    const spec = specFrom(scenario(), uniqueId('ppl'), 'people');
    const handle = await h.start(spec);

    await waitingOn(handle, 'declare');
    expect(await refused(handle.executeUpdate(decideUpdate, { args: [{ gate: 'declare', by: 'alice', as: 'operator' }] })))
      .toBe('this needs the role "chief-officer"; alice acted as "operator"');
    expect(await refused(handle.executeUpdate(decideUpdate, { args: [{ gate: 'declare', by: 'alice', as: 'chief-officer' }] })))
      .toBe('alice does not hold the role "chief-officer" in this drill\'s participants');
    expect(await refused(handle.executeUpdate(completeStepUpdate, { args: [{ step: 'restart', by: 'alice' }] })))
      .toMatch(/^step "restart" is not waiting \(the drill is waiting on step "declare"\)/);
    expect(await handle.executeUpdate(decideUpdate, { args: [{ gate: 'declare', by: 'cho', as: 'chief-officer', note: 'site A lost' }] }))
      .toMatchObject({ step: 'declare', status: 'completed' });
    expect(await refused(handle.executeUpdate(decideUpdate, { args: [{ gate: 'declare', by: 'cho', as: 'chief-officer' }] })))
      .toMatch(/^step "declare" is not waiting/);

    await waitingOn(handle, 'tell-vendor');
    await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'tell-vendor', by: 'alice', note: 'ticket 4711' }] });

    await waitingOn(handle, 'restart');
    expect(await refused(handle.executeUpdate(reportBreakdownUpdate, { args: [{ step: 'restart', by: 'alice', code: 'nonsense' as never, note: 'x', effect: 'prolonged' }] })))
      .toMatch(/^unknown breakdown code "nonsense"/);
    // Confirmed before it was done: the verification probe contradicts it.
    const contradicted = await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'restart', by: 'alice' }] });
    expect(contradicted.status).toBe('waiting');
    expect(contradicted.detail).toMatch(/^contradicted: up does not hold/);
    await handle.executeUpdate(reportBreakdownUpdate, { args: [{ step: 'restart', by: 'alice', code: 'procedure-missing', note: 'runbook does not say which host', effect: 'prolonged' }] });
    await handle.executeUpdate(reportBreakdownUpdate, { args: [{ step: 'restart', by: 'alice', code: 'staff-unavailable', note: 'the admin was away, users hit errors longer', effect: 'enlarged' }] });
    await handle.executeUpdate(reportBreakdownUpdate, { args: [{ step: 'restart', by: 'alice', code: 'equipment-unavailable', note: 'spare console broken, used another', effect: 'none' }] });
    await expect.poll(async () => (await handle.query(statusQuery)).steps.find((s) => s.id === 'restart')?.escalated, { timeout: 30_000, interval: 200 }).toBe(true);
    // All three budget warnings fire while the service is still down.
    await expect.poll(async () => (await handle.query(statusQuery)).lastEvents.some((e) => e.detail.startsWith('web: 100% of the RTO')), { timeout: 30_000, interval: 200 }).toBe(true);
    await docker.getContainer(resourceName(spec.drillId, 'web')).start(); // the participant does the work
    expect(await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'restart', by: 'alice', workaround: 'started it from the console' }] }))
      .toMatchObject({ status: 'completed' });
    expect(await refused(handle.executeUpdate(completeStepUpdate, { args: [{ step: 'restart', by: 'alice' }] })))
      .toMatch(/^step "restart" is not waiting/);

    await waitingOn(handle, 'paperwork');
    expect(await refused(handle.executeUpdate(skipStepUpdate, { args: [{ step: 'paperwork', by: 'alice', reason: ' ' }] }))).toBe('reason must not be empty');
    await handle.executeUpdate(skipStepUpdate, { args: [{ step: 'paperwork', by: 'alice', reason: 'done after the drill' }] });

    const record = await handle.result();
    expect(record.status, record.failure).toBe('completed');
    const step = Object.fromEntries(record.steps.map((s) => [s.id, s]));
    expect(step.declare).toMatchObject({ status: 'completed', confirmedBy: 'cho', role: 'chief-officer', note: 'site A lost' });
    expect(step.restart).toMatchObject({ status: 'completed', confirmedBy: 'alice', workaround: 'started it from the console', overrun: true, escalated: true });
    expect(step.paperwork).toMatchObject({ status: 'skipped', note: 'done after the drill' });
    expect(record.notifications).toEqual([expect.objectContaining({ step: 'tell-vendor', audience: 'vendor', to: 'storage vendor hotline', by: 'alice' })]);

    expect(record.breakdowns.map((b) => [b.code, b.effect, b.source])).toEqual([
      ['system-differs', 'prolonged', 'verification'],
      ['procedure-missing', 'prolonged', 'participant'],
      ['staff-unavailable', 'enlarged', 'participant'],
      ['equipment-unavailable', 'none', 'participant'],
    ]);
    for (const b of record.breakdowns) {
      expect(b.step).toBe('restart');
      expect(b.lostMs).toBe(b.resolvedAt! - b.reportedAt);
      expect(b.lostMs!).toBeGreaterThan(0);
    }
    const types = record.timeline.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['decision', 'notification', 'step.overrun', 'step.escalated', 'rto.budget']));
    expect(record.timeline.filter((e) => e.type === 'rto.budget').map((e) => e.detail)).toEqual([
      'web: 50% of the RTO (6.0s) used and service not yet restored',
      'web: 80% of the RTO (6.0s) used and service not yet restored',
      'web: 100% of the RTO (6.0s) used and service not yet restored',
    ]);
    expect(hook.received.map((r) => r.subject)).toEqual(expect.arrayContaining(['escalation', 'RTO budget']));
    expect(hook.received.find((r) => r.subject === 'escalation')!.message).toContain('step "restart" has waited 2.0s');

    const report = buildReport(record);
    expect(report.people.map((p) => [p.step, p.status, p.confirmedBy])).toEqual([
      ['declare', 'completed', 'cho'], ['tell-vendor', 'completed', 'alice'], ['restart', 'completed', 'alice'], ['paperwork', 'skipped', 'alice'],
    ]);
    expect(report.people.find((p) => p.step === 'restart')).toMatchObject({ expectedMs: 1000, overrun: true, escalated: true, workaround: 'started it from the console' });
    const [decision] = report.decisions;
    expect(decision).toMatchObject({ step: 'declare', role: 'chief-officer', decidedBy: 'cho' });
    expect(decision!.timeToDecideMs).toBe(step.declare!.confirmedAt! - step.declare!.startedAt!);
    expect(report.breakdowns.map((b) => [b.code, b.cause])).toContainEqual(['procedure-missing', 'procedures missing or unclear']);
    expect(report.notifications).toEqual([expect.objectContaining({ audience: 'vendor', to: 'storage vendor hotline', by: 'alice' })]);
    // The outage window split by phase: the gate decided, the restart recovered, and nothing is counted twice.
    const [o] = report.objectives;
    const p = o!.rto.phases!;
    expect(p.decide).toBeGreaterThan(0);
    expect(p.recover).toBeGreaterThan(0);
    expect(p.detect + p.decide + p.recover + p.verify + p.between).toBe(Date.parse(o!.rto.restoredAt!) - record.t0!);
    const md = renderMarkdown(report);
    for (const heading of ['## Manual steps, decisions and notifications', '### Decisions', '## Runbook breakdowns', '## Notification timeline']) expect(md).toContain(heading);
    expect(md).toMatch(/RTO by phase: detect .*, decide .*, recover .*, verify/);
  });

  it('samples in bursts while people keep the drill waiting, and continuously again once they answer', async () => {
    const spec = specFrom(`
version: 1
name: long-wait
sparseSampling: { after: 2s, every: 5s }
topology:
  containers:
    web: { image: drill/redis:latest, ports: [6379] }
probes:
  up: { kind: availability, target: { container: web, port: 6379 } }
objectives:
  - { system: web, rto: 1m, rpo: 0s, availability: up }
steps:
  - { id: healthy, kind: wait, probe: up, until: healthy, timeout: 30s }
  - { id: outage, kind: fault, docker: { action: stop, target: web } }
  - { id: restore, kind: manual, runbook: Start it again, verify: up }
  - { id: back, kind: wait, for: 6s }
`, uniqueId('sparse'), 'people');
    const handle = await h.start(spec);
    await waitingOn(handle, 'restore');
    await new Promise((r) => setTimeout(r, 16_000)); // people take their time
    await docker.getContainer(resourceName(spec.drillId, 'web')).start();
    expect(await handle.executeUpdate(completeStepUpdate, { args: [{ step: 'restore', by: 'alice' }] })).toMatchObject({ status: 'completed' });
    const record = await handle.result();
    expect(record.status, record.failure).toBe('completed');

    const types = record.timeline.map((e) => e.type);
    expect(types.filter((t) => t === 'probes.sparse' || t === 'probes.dense')).toEqual(['probes.sparse', 'probes.dense']);
    const restore = record.steps.find((s) => s.id === 'restore')!;
    // When each probe segment was scheduled, from the drill's own history.
    const history = await handle.fetchHistory();
    const segments = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sampleAvailability')
      .map((e) => Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6));
    const gaps = (from: number, to: number) => segments.filter((t) => t >= from && t <= to).flatMap((t, i, all) => (i ? [t - all[i - 1]!] : []));
    const during = gaps(restore.startedAt! + 3000, restore.endedAt!);
    const after = gaps(restore.endedAt! + 500, record.endedAt!);
    expect(Math.max(...during)).toBeGreaterThanOrEqual(6000); // a 2s burst, then a 5s pause
    expect(Math.max(...after)).toBeLessThan(4000);             // back to one segment after another
    // The report explains the sparse stretch instead of calling it a gap in the orchestrator.
    const report = buildReport(record);
    expect(report.objectives[0]!.note ?? '').not.toContain('has no samples');
    expect(report.measurement.join('\n')).toMatch(/people kept the drill waiting, so probes sampled in 2\.0s bursts/);
  });
});

