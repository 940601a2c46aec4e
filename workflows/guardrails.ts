// Guardrails in a drill: after each availability segment, a breach (model/guardrail.ts) aborts the
// drill; the cleanup then heals every fault before anything is removed.
import { formatDuration } from '../model/duration.js';
import { guardrailBreach } from '../model/guardrail.js';
import type { DrillContext } from './context.js';

export function guardrailWatch(drill: DrillContext): (probe: string) => void {
  let fired = false;
  return (probe) => {
    const g = drill.spec.guardrails?.find((x) => x.probe === probe);
    // Only while steps run: provisioning may see a service coming up, cleanup one going away.
    if (!g || fired || drill.phase !== 'steps') return;
    const breach = guardrailBreach(drill.record.availability[probe] ?? [], g.toleranceMs);
    if (!breach) return;
    fired = true;
    const reason = `guardrail ${probe} fired: failing since ${new Date(breach.firstAt).toISOString()} (${breach.error ?? 'no answer'}), longer than its tolerance of ${formatDuration(g.toleranceMs)}`;
    drill.event('guardrail.fired', reason, undefined, breach.firstAt + g.toleranceMs);
    drill.abort(reason);
  };
}
