// A step's lifecycle, the same for every kind: running, then completed, failed or aborted, timed, on
// the timeline. What the step does is its kind's handler (step-kinds.ts). A failed step aborts the
// drill unless it says `onFailure: continue`.
import { isCancellation } from '@temporalio/workflow';
import type { StepSpec } from '../model/spec.js';
import { failureMessage, StepFailed } from './failures.js';
import { handlerOf, type StepParts } from './step-kinds.js';

export function stepRunner(parts: Omit<StepParts, 'run'>): (step: StepSpec) => Promise<void> {
  const results = new Map(parts.drill.record.steps.map((r) => [r.id, r]));
  const withRun: StepParts = { ...parts, run: runStep };

  async function runStep(step: StepSpec): Promise<void> {
    const { drill } = parts;
    const r = results.get(step.id)!;
    r.status = 'running';
    r.startedAt = Date.now();
    drill.event('step.started', step.title ?? step.kind, step.id);
    try {
      // The handler's work is driven here, inline: each promise it yields is awaited once, and no
      // async wrapper adds a hop (see StepWork).
      const work = handlerOf(step)(step, r, withRun);
      let next = work.next();
      while (!next.done) {
        let value: unknown;
        try {
          value = await next.value;
        } catch (err) {
          next = work.throw(err);
          continue;
        }
        next = work.next(value);
      }
      if (next.value === 'skipped') {
        r.status = 'skipped';
        return;
      }
      r.status = 'completed';
      drill.event('step.completed', `${step.id} completed`, step.id);
    } catch (err) {
      if (isCancellation(err)) {
        r.status = 'aborted';
        throw err;
      }
      r.status = 'failed';
      r.error = failureMessage(err);
      drill.event('step.failed', r.error, step.id);
      if (step.onFailure === 'abort') throw new StepFailed(`step ${step.id} failed: ${r.error}`);
    } finally {
      r.endedAt = Date.now();
      r.durationMs = r.endedAt - r.startedAt;
    }
  }
  return runStep;
}
