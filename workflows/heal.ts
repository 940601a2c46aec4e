// `drill heal` for a drill that has ended with a fault it could not heal: the heal activities run
// again, here as their own short workflow, so they get the same retries and any worker can run them.
import { isCancellation } from '@temporalio/workflow';
import type { FaultSpec } from '../model/fault.js';
import { lateHeal } from './activities.js';
import { failureMessage } from './failures.js';

export type HealOutcome = { step: string; target: string; type: string; healed: boolean; detail: string };

export async function healWorkflow(input: { drillId: string; faults: { step: string; fault: FaultSpec }[] }): Promise<HealOutcome[]> {
  return Promise.all(input.faults.map(async ({ step, fault }): Promise<HealOutcome> => {
    try {
      const r = await lateHeal.healFault({ drillId: input.drillId, key: `${input.drillId}.${step}.${fault.target}`, fault });
      return { step, target: fault.target, type: fault.type, healed: true, detail: r.evidence };
    } catch (err) {
      if (isCancellation(err)) throw err;
      return { step, target: fault.target, type: fault.type, healed: false, detail: failureMessage(err) };
    }
  }));
}
