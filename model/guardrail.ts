// Guardrails: a probe that, once seen healthy during the drill, fails for longer than its tolerance
// aborts the drill. Pure, so the workflow and the tests judge a breach the same way.
import type { SampleRun } from './record.js';

export type Guardrail = { probe: string; toleranceMs: number };

/**
 * The failing run that breaches the guardrail, if any. A probe that has never been healthy is not
 * armed: a service still coming up is not a breach.
 */
export function guardrailBreach(runs: SampleRun[], toleranceMs: number): SampleRun | undefined {
  const armed = runs.findIndex((r) => r.ok);
  if (armed < 0) return undefined;
  return runs.slice(armed).find((r) => !r.ok && r.lastAt - r.firstAt >= toleranceMs);
}
