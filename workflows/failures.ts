// How failures read in the record: an activity's own message, not Temporal's wrapper around it.
import { ActivityFailure } from '@temporalio/workflow';

/** A step that did not do what the runbook says; its message is what the record shows. */
export class StepFailed extends Error {}

export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
