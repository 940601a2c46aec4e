// `drill heal ID`: heal a drill's faults by hand. A running drill is told to heal every fault in
// place now (it does the work, with its retries); for a drill that has ended, the faults its record
// shows unhealed are healed by a short heal workflow.
import type { Client } from '@temporalio/client';
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
    await handle.signal(healSignal);
    out(`heal sent to ${drillId}; waiting for its faults to be healed`);
    for (let i = 0; i < 300; i++) {
      const view = await handle.query(statusQuery);
      if ((view.activeFaults ?? []).length === 0) {
        out(`${drillId}: no fault in place`);
        return 0;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    out(`${drillId}: faults still in place after 5 minutes: ${(await handle.query(statusQuery)).activeFaults!.map((f) => `${f.type} on ${f.target}`).join(', ')}`);
    return 3;
  }
  const record = (await handle.result()) as DrillRecord;
  const due = (record.faults ?? []).filter((f) => f.healedAt === undefined && !UNHEALABLE.has(f.type));
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
