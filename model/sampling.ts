// Sparse sampling: probes pause between bursts while people keep a drill waiting for long. Every probe
// segment is a few history events, so sampling continuously through a wait of days would outgrow
// the workflow's history.

export type SparseSampling = { afterMs: number; everyMs?: number };

/** specs recorded before sparse sampling existed get these */
export const DEFAULT_SPARSE_SAMPLING: SparseSampling = { afterMs: 1_800_000 };

/**
 * How long probes pause between bursts now: 0 unless people have kept the drill waiting longer than
 * `afterMs`; then `everyMs`, or a tenth of the wait so far, between 30 s and 10 min.
 */
export function sparsePauseMs(waitingSince: number | null, now: number, sparse: SparseSampling = DEFAULT_SPARSE_SAMPLING): number {
  if (waitingSince === null || now - waitingSince < sparse.afterMs) return 0;
  return sparse.everyMs ?? Math.min(600_000, Math.max(30_000, (now - waitingSince) / 10));
}
