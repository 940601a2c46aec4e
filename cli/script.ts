// A scripted operator (`--operator script:FILE`): a rehearsal's answers, played against the running
// drill as participants would give them. Everything that would leave the drill waiting forever (a
// step the scenario does not have, or one the script has passed already) is refused before it starts.
import { readFile } from 'node:fs/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { parse } from 'yaml';
import { z } from 'zod';
import { BREAKDOWN_CODE_LIST, BREAKDOWN_EFFECTS } from '../model/breakdown.js';
import { parseDuration } from '../model/duration.js';
import { allSteps, type DrillSpec } from '../model/spec.js';
import { statusQuery, type BreakdownReport, type Confirmation, type Decision } from '../workflows/messages.js';
import { CliError } from './errors.js';
import { send, type Action } from './operator.js';

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (typeof ms === 'number') return ms;
  ctx.addIssue({ code: 'custom', message: ms.error });
  return z.NEVER;
});
/** `t0` or `t0+9m`: from the disaster's t0, the moment the script's clock starts for this entry. */
const fromT0 = z.string().transform((text, ctx) => {
  const m = /^\s*t0\s*(?:\+\s*(.+))?$/.exec(text);
  const ms = m ? (m[1] === undefined ? 0 : parseDuration(m[1])) : { error: '' };
  if (typeof ms === 'number') return ms;
  ctx.addIssue({ code: 'custom', message: `"${text}": write t0 or t0+DURATION, e.g. t0+9m${ms.error ? ` (${ms.error})` : ''}` });
  return z.NEVER;
});
const timeScale = z.number().positive().finite();

const who = z.object({ by: z.string().min(1), as: z.string().optional(), note: z.string().optional() });
const scriptEntry = z.strictObject({
  step: z.string().min(1),
  /** wait this long after the step starts waiting (a rehearsal's pace) ... */
  after: duration.optional(),
  /** ... or until this long after t0 */
  at: fromT0.optional(),
  confirm: who.extend({ workaround: z.string().optional() }).optional(),
  breakdown: z.object({ by: z.string().min(1), code: z.enum(BREAKDOWN_CODE_LIST as [string, ...string[]]), note: z.string().min(1), effect: z.enum(BREAKDOWN_EFFECTS) }).optional(),
  skip: z.object({ by: z.string().min(1), reason: z.string().min(1) }).optional(),
  decide: who.extend({ as: z.string().min(1) }).optional(),
  /** a rehearsal may expect the drill to refuse an action */
  expect: z.enum(['accepted', 'refused']).default('accepted'),
}).refine((e) => [e.confirm, e.breakdown, e.skip, e.decide].filter(Boolean).length === 1, 'each entry takes exactly one of confirm, breakdown, skip, decide')
  .refine((e) => e.after === undefined || e.at === undefined, 'give after (from when the step waits) or at (from t0), not both');
/** A list of entries, or `{ timeScale, entries }` for a rehearsal at another pace. */
const listed = z.array(scriptEntry);
const paced = z.strictObject({ timeScale: timeScale.optional(), entries: listed });
type RawEntry = z.infer<typeof scriptEntry>;

/** `afterMs` and `atMs` are already scaled by the script's time scale. */
export type ScriptEntry = { step: string; afterMs: number; atMs?: number; action: Action; expect: 'accepted' | 'refused' };

function actionOf(e: RawEntry): Action {
  return e.confirm ? { kind: 'confirm', c: { step: e.step, ...e.confirm } as Confirmation }
    : e.breakdown ? { kind: 'breakdown', b: { step: e.step, ...e.breakdown } as BreakdownReport }
    : e.skip ? { kind: 'skip', s: { step: e.step, ...e.skip } }
    : { kind: 'decide', d: { gate: e.step, ...e.decide! } as Decision };
}

/**
 * The entries against the scenario: each names a step that waits for people, in the drill's order,
 * and not one the script has already resolved; `at` needs a t0, so a fault.
 */
function problems(entries: RawEntry[], spec: DrillSpec, where: (i: number, field: string) => string): string[] {
  const order = allSteps(spec.steps);
  // A parallel group's steps run together: they count as one place in the drill's order.
  const place = new Map<string, number>();
  spec.steps.forEach((s, i) => { for (const t of allSteps([s])) place.set(t.id, i); });
  const waiting = order.filter((s) => s.kind === 'manual' || s.kind === 'gate' || s.kind === 'notify').map((s) => s.id);
  const out: string[] = [];
  const resolved = new Map<string, number>();
  let last: { i: number; step: string } | undefined;
  entries.forEach((e, i) => {
    const step = order.find((s) => s.id === e.step);
    if (!step) return out.push(`${where(i, 'step')} scenario ${spec.scenario} has no step "${e.step}"; the steps that wait for people: ${waiting.join(', ') || 'none'}`);
    if (!waiting.includes(step.id)) return out.push(`${where(i, 'step')} step "${e.step}" is a ${step.kind} step: only manual, gate and notify steps wait for an answer`);
    if (last && place.get(step.id)! < place.get(last.step)!) {
      out.push(`${where(i, 'step')} step "${e.step}" comes before "${last.step}" (entry ${last.i}) in the scenario: the script would wait for "${last.step}" while the drill waits on "${e.step}"`);
    }
    if (resolved.has(step.id)) out.push(`${where(i, 'step')} step "${e.step}" is resolved by entry ${resolved.get(step.id)} already: the script would wait for it forever`);
    if (e.expect === 'accepted' && !e.breakdown) resolved.set(step.id, i);
    if (e.at !== undefined && !order.some((s) => s.kind === 'fault')) out.push(`${where(i, 'at')} scenario ${spec.scenario} has no fault step, so no t0 to count from`);
    last = { i, step: step.id };
  });
  return out;
}

/**
 * Reads a script and checks it against the drill's scenario; exit 2 naming the file and the entry for
 * anything wrong. `scale` (--time-scale) overrides the file's `timeScale`.
 */
export async function loadScript(file: string, spec: DrillSpec, scale?: number): Promise<ScriptEntry[]> {
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`, 2);
  }
  // Parsed as one shape or the other, so an error names the entry, not a union's alternatives.
  const parsed = Array.isArray(doc) ? listed.transform((entries) => ({ entries, timeScale: undefined })).safeParse(doc) : paced.safeParse(doc);
  if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => `${file}: [${i.path.join('.')}] ${i.message}`).join('\n'), 2);
  const { entries } = parsed.data;
  const wrong = problems(entries, spec, (i, field) => `${file}: [${Array.isArray(doc) ? '' : 'entries.'}${i}.${field}]`);
  if (wrong.length) throw new CliError(wrong.join('\n'), 2);
  const k = scale ?? parsed.data.timeScale ?? 1;
  return entries.map((e) => ({
    step: e.step, afterMs: Math.round((e.after ?? 0) * k), ...(e.at !== undefined && { atMs: Math.round(e.at * k) }), action: actionOf(e), expect: e.expect,
  }));
}

/** --time-scale: a positive number, e.g. 0.1 for a rehearsal at ten times the pace. */
export function parseTimeScale(text: string): number {
  const k = Number(text);
  if (!timeScale.safeParse(k).success || text.trim() === '') throw new CliError(`--time-scale ${text}: a positive number, e.g. 0.1 for ten times the pace`, 2);
  return k;
}

/**
 * Plays a script against a running drill: each entry waits for its step to be waiting (and `after`
 * to pass since, or `at` since t0), then acts. Stops at the first answer that differs from what the
 * entry expects.
 */
export async function runScript(handle: WorkflowHandle, entries: ScriptEntry[], log: (s: string) => void, done: () => boolean): Promise<void> {
  for (const e of entries) {
    for (;;) {
      if (done()) return;
      const v = await handle.query(statusQuery).catch(() => null);
      const now = Date.now();
      const due = v?.waiting?.id === e.step && now - v.waiting.since >= e.afterMs && (e.atMs === undefined || (v.t0 !== null && now - v.t0 >= e.atMs));
      if (due) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const outcome = await send(handle, e.action).then((a) => ({ ok: true, text: `${a.status}: ${a.detail}` }), (err: Error) => ({ ok: false, text: err.message }));
    log(`operator: ${e.action.kind} ${e.step} → ${outcome.text}`);
    if (outcome.ok !== (e.expect === 'accepted')) throw new CliError(`script expected ${e.expect} for ${e.action.kind} on ${e.step}, got: ${outcome.text}`, 3);
  }
}
