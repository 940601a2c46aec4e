// Participants' side of a drill: send confirmations, breakdowns, skips and decisions as Workflow
// Updates and print the drill's answer. A scripted operator replays a file of such actions.
import { readFile } from 'node:fs/promises';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { parse } from 'yaml';
import { z } from 'zod';
import { BREAKDOWN_CODE_LIST, BREAKDOWN_EFFECTS } from '../model/breakdown.js';
import { durationMs } from '../model/duration.js';
import {
  completeStepUpdate, decideUpdate, reportBreakdownUpdate, skipStepUpdate, statusQuery,
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

const who = z.object({ by: z.string().min(1), as: z.string().optional(), note: z.string().optional() });
const scriptEntry = z.strictObject({
  step: z.string().min(1),
  /** wait this long after the step starts waiting (a rehearsal's pace) */
  after: z.string().default('0s'),
  confirm: who.extend({ workaround: z.string().optional() }).optional(),
  breakdown: z.object({ by: z.string().min(1), code: z.enum(BREAKDOWN_CODE_LIST as [string, ...string[]]), note: z.string().min(1), effect: z.enum(BREAKDOWN_EFFECTS) }).optional(),
  skip: z.object({ by: z.string().min(1), reason: z.string().min(1) }).optional(),
  decide: who.extend({ as: z.string().min(1) }).optional(),
  /** a rehearsal may expect the drill to refuse an action */
  expect: z.enum(['accepted', 'refused']).default('accepted'),
}).refine((e) => [e.confirm, e.breakdown, e.skip, e.decide].filter(Boolean).length === 1, 'each entry takes exactly one of confirm, breakdown, skip, decide');

export type ScriptEntry = { step: string; afterMs: number; action: Action; expect: 'accepted' | 'refused' };

export async function loadScript(file: string): Promise<ScriptEntry[]> {
  const parsed = z.array(scriptEntry).safeParse(parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new CliError(parsed.error.issues.map((i) => `${file}: [${i.path.join('.')}] ${i.message}`).join('\n'), 2);
  }
  return parsed.data.map((e) => {
    const action: Action = e.confirm ? { kind: 'confirm', c: { step: e.step, ...e.confirm } as Confirmation }
      : e.breakdown ? { kind: 'breakdown', b: { step: e.step, ...e.breakdown } as BreakdownReport }
      : e.skip ? { kind: 'skip', s: { step: e.step, ...e.skip } }
      : { kind: 'decide', d: { gate: e.step, ...e.decide! } as Decision };
    return { step: e.step, afterMs: durationMs(e.after), action, expect: e.expect };
  });
}

/**
 * Plays a script against a running drill: each entry waits for its step to be waiting (and `after`
 * to pass), then acts. Stops at the first answer that differs from what the entry expects.
 */
export async function runScript(client: Client, drillId: string, entries: ScriptEntry[], log: (s: string) => void, done: () => boolean): Promise<void> {
  const handle = client.workflow.getHandle(drillId);
  for (const e of entries) {
    for (;;) {
      if (done()) return;
      const v = await handle.query(statusQuery).catch(() => null);
      if (v?.waiting?.id === e.step && Date.now() - v.waiting.since >= e.afterMs) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const outcome = await send(handle, e.action).then((a) => ({ ok: true, text: `${a.status}: ${a.detail}` }), (err: Error) => ({ ok: false, text: err.message }));
    log(`operator: ${e.action.kind} ${e.step} → ${outcome.text}`);
    if (outcome.ok !== (e.expect === 'accepted')) throw new CliError(`script expected ${e.expect} for ${e.action.kind} on ${e.step}, got: ${outcome.text}`, 3);
  }
}
