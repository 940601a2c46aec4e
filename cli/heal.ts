// `drill heal ID`: heal a drill's faults by hand. A running drill is told to heal every fault in
// place now (it does the work, with its retries); for a drill that has ended, the faults its record
// shows unhealed are healed by a short heal workflow.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { FaultSpec } from '../model/fault.js';
import type { DrillRecord } from '../model/record.js';
import { UNHEALABLE } from '../model/fault.js';
import { healSignal, statusQuery } from '../workflows/messages.js';
import { healWorkflow, type HealOutcome } from '../workflows/heal.js';
import { CliError } from './errors.js';

export async function heal(client: Client, drillId: string, taskQueue: string, runWorker: <T>(p: Promise<T>) => Promise<T>, out: (s: string) => void): Promise<number> {
  const handle = client.workflow.getHandle(drillId);
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    throw new CliError(`no drill ${drillId}: ${(err as Error).message}`, 2);
  }
  if (status === 'RUNNING') {
    // An exercise answers no token-less query, and ignores a token-less heal.
    await handle.query(statusQuery).catch((err: Error) => {
      throw new CliError(`${drillId}: ${err.message}; its faults are healed when the facilitator aborts it (drill exercise abort ID --token T)`, 2);
    });
    await handle.signal(healSignal);
    out(`heal sent to ${drillId}; waiting for its faults to be healed`);
    const sentAt = Date.now();
    for (;;) {
      const left = (await handle.query(statusQuery)).activeFaults ?? [];
      if (left.length === 0) {
        out(`${drillId}: no fault in place`);
        return 0;
      }
      // The drill retries each heal for a while; a fault whose heal failed again is reported, not waited on.
      if ((left.every((f) => f.healError !== undefined) && Date.now() - sentAt > 15_000) || Date.now() - sentAt > 300_000) {
        for (const f of left) out(`NOT healed: ${f.type} on ${f.target} (step ${f.step})${f.healError ? `: ${f.healError}` : ''}`);
        return 3;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const due = await unhealed(handle, status);
  if (due.length === 0) {
    out(`${drillId} (${status.toLowerCase()}): every fault was healed by the drill`);
    return 0;
  }
  const outcomes: HealOutcome[] = await runWorker(client.workflow.execute(healWorkflow, {
    taskQueue, workflowId: `${drillId}-heal-${Date.now()}`, args: [{ drillId, faults: due.map((f) => ({ step: f.step, fault: f.fault })) }],
  }));
  for (const o of outcomes) out(`${o.healed ? 'healed' : 'NOT healed'}: ${o.type} on ${o.target} (step ${o.step}): ${o.detail}`);
  return outcomes.every((o) => o.healed) ? 0 : 3;
}

/**
 * The faults an ended drill left unhealed: from its record; or, for a drill terminated or timed out
 * before its cleanup could run, every fault its history shows it started to inject (heals are
 * idempotent, so healing one that never landed is harmless).
 */
async function unhealed(handle: WorkflowHandle, status: string): Promise<{ step: string; fault: FaultSpec }[]> {
  if (status === 'COMPLETED') {
    const record = (await handle.result()) as DrillRecord;
    return (record.faults ?? []).filter((f) => f.healedAt === undefined && !UNHEALABLE.has(f.type));
  }
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    if (a?.activityType?.name !== 'injectFault' || !a.input?.payloads?.[0]) return [];
    const input = defaultPayloadConverter.fromPayload<{ key: string; fault: FaultSpec }>(a.input.payloads[0] as never);
    if (UNHEALABLE.has(input.fault.type)) return [];
    return [{ step: input.key.split('.').slice(-2, -1)[0] ?? 'unknown', fault: input.fault }];
  });
}
