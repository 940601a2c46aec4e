// The RTO budget: people are warned as the recovery uses up its objective, at set shares of the RTO
// counted from t0, until the service is restored by the availability probe's measure.
import { formatDuration } from './duration.js';
import { measureRto } from './measure.js';
import type { SampleRun } from './record.js';

export const RTO_BUDGET_SHARES = [0.5, 0.8, 1] as const;

/** When a share of the RTO is used up. */
export const budgetDueAt = (t0: number, rtoMs: number, share: number): number => t0 + rtoMs * share;

export function budgetWarning(system: string, rtoMs: number, share: number): string {
  return `${system}: ${Math.round(share * 100)}% of the RTO (${formatDuration(rtoMs)}) used and service not yet restored`;
}

/** Restored by the probe's measure: healthy for its sustain time after t0. */
export function serviceRestored(runs: SampleRun[], t0: number, probe: { sustainMs: number; intervalMs: number }): boolean {
  return measureRto(runs, t0, probe.sustainMs, probe.intervalMs).restoredAt !== null;
}
