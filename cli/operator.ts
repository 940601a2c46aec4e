// Participants' side of a drill: send confirmations, breakdowns, skips and decisions as Workflow
// Updates and print the drill's answer. A scripted operator (script.ts) sends the same actions.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  completeStepUpdate, decideUpdate, reportBreakdownUpdate, skipStepUpdate,
  type Ack, type BreakdownReport, type Confirmation, type Decision, type Skip,
} from '../workflows/messages.js';
import { CliError } from './errors.js';

export type Action =
  | { kind: 'confirm'; c: Confirmation }
  | { kind: 'breakdown'; b: BreakdownReport }
  | { kind: 'skip'; s: Skip }
  | { kind: 'decide'; d: Decision };

/**
 * Sends one action; resolves with the drill's answer when it took the action, or rejects: exit 4 with
 * its reason when it refused (or the system contradicted a confirmation), exit 3 when it cannot be reached.
 */
export async function send(handle: WorkflowHandle, a: Action): Promise<Ack> {
  let ack: Ack;
  try {
    switch (a.kind) {
      case 'confirm': ack = await handle.executeUpdate(completeStepUpdate, { args: [a.c] }); break;
      case 'breakdown': ack = await handle.executeUpdate(reportBreakdownUpdate, { args: [a.b] }); break;
      case 'skip': ack = await handle.executeUpdate(skipStepUpdate, { args: [a.s] }); break;
      case 'decide': ack = await handle.executeUpdate(decideUpdate, { args: [a.d] }); break;
    }
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no drill ${handle.workflowId} on this Temporal server`, 3);
    if (!(err instanceof WorkflowUpdateFailedError)) throw new CliError(`could not reach drill ${handle.workflowId}: ${refusalReason(err)}`, 3);
    throw new CliError(`refused: ${refusalReason(err)}`, 4);
  }
  // A breakdown leaves its step waiting by design; anything else that did not move the step was not taken.
  if (ack.status === 'refused' || (ack.status === 'waiting' && a.kind !== 'breakdown')) throw new CliError(`${ack.status === 'refused' ? 'refused' : 'not taken'}: ${ack.detail}`, 4);
  return ack;
}

/** The validator's own words, without the SDK's wrapping. */
export function refusalReason(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
