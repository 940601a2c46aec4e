// RTO budget warnings: at each share of every objective's RTO after t0 (model/budget.ts), unless the
// service is already restored or the drill has left its steps, the timeline and the people are told.
import { condition } from '@temporalio/workflow';
import { budgetDueAt, budgetWarning, RTO_BUDGET_SHARES, serviceRestored } from '../model/budget.js';
import type { DrillContext } from './context.js';

export async function budgetWatch(drill: DrillContext): Promise<void> {
  const { spec, record } = drill;
  const t0 = record.t0!;
  await Promise.all(spec.objectives.map(async (o) => {
    const probe = spec.probes[o.availability];
    const restored = () => probe?.kind === 'availability' && serviceRestored(record.availability[o.availability] ?? [], t0, probe);
    for (const share of RTO_BUDGET_SHARES) {
      const at = budgetDueAt(t0, o.rtoMs, share);
      const ended = await condition(() => restored() || drill.phase !== 'steps', Math.max(1, at - Date.now()));
      if (ended) return;
      const message = budgetWarning(o.system, o.rtoMs, share);
      drill.event('rto.budget', message);
      await drill.notify('RTO budget', message);
    }
  }));
}
