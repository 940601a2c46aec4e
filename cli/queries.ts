// Status queries a terminal sends on a timer. One still in flight when the client's connection closes
// retries on the closed channel and crashes the process from a timer, so each is tracked and settled
// before closing.
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery, type DrillView } from '../workflows/messages.js';

export function statusPoller(handle: WorkflowHandle) {
  const inflight = new Set<Promise<void>>();
  return {
    /** queries the drill's status and hands it to `use`; a failed query is skipped, the next tick tries again */
    poll(use: (view: DrillView) => void): void {
      const q = handle.query(statusQuery).then(use, () => undefined);
      inflight.add(q);
      void q.finally(() => inflight.delete(q));
    },
    settled: () => Promise.allSettled([...inflight]),
  };
}
