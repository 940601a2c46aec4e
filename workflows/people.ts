// People in the drill: manual runbook steps, decision gates and notifications wait for participants,
// who answer through Workflow Updates. Validators refuse what cannot apply (wrong step, wrong role,
// an unknown code) before anything is recorded; handlers re-check, so nothing is recorded twice.
// Overrun and escalation are durable timers: a wait of days depends on no process staying up.
import { condition, isCancellation } from '@temporalio/workflow';
import type { StepResult, WaitingStep } from '../model/record.js';
import type { PeopleStepSpec } from '../model/spec.js';
import type { DrillContext } from './context.js';
import { registerAnswers, type Message, type PeopleHooks, type Waiting } from './people-answers.js';
import { closeBreakdowns, confirmed, recordBreakdown, timersFor } from './people-record.js';

/** What participants see of the step waiting for them; `automated`: what its automation did first. */
function waitingStep(s: PeopleStepSpec, since: number, automated?: string): WaitingStep {
  const said = s.kind === 'manual' ? s.runbook : s.kind === 'gate' ? s.decision : `${s.audience} → ${s.to}: ${s.message}`;
  const text = automated === undefined ? said : `${said}\n${automated}`;
  return { id: s.id, kind: s.kind, since, text, ...(('role' in s && s.role !== undefined) && { role: s.role }), ...(s.expectedMs !== undefined && { expectedMs: s.expectedMs }) };
}

export type PeopleSteps = ReturnType<typeof peopleSteps>;

export function peopleSteps(drill: DrillContext, hooks: PeopleHooks) {
  let current: Waiting | null = null;
  registerAnswers(drill, hooks, () => current);

  return {
    /** Waits until participants resolve the step: 'completed' or 'skipped'. `automated`: what its automation did, for them to check. */
    async run(step: PeopleStepSpec, r: StepResult, automated?: string): Promise<'completed' | 'skipped'> {
      const cur: Waiting = { step, since: Date.now(), inbox: [], resolved: false };
      current = cur;
      drill.waiting = waitingStep(step, cur.since, automated);
      r.status = 'waiting';
      drill.event('step.waiting', step.kind === 'gate' ? `decision needed from ${step.role}` : 'waiting for a participant', step.id);
      const timers = timersFor(drill, step, r, cur.since);
      let taking: Message | undefined;
      try {
        for (;;) {
          const next = timers[0];
          const got = next ? await condition(() => cur.inbox.length > 0, Math.max(1, next.at - Date.now())) : await condition(() => cur.inbox.length > 0).then(() => true);
          if (!got) {
            // Notifying can take a while (a webhook that is down is retried); answers must not wait for it.
            timers.shift()!.fire().catch((err) => { if (!isCancellation(err)) drill.event('notify.failed', String(err)); });
            continue;
          }
          const m = cur.inbox.shift()!;
          taking = m;
          if (m.type === 'breakdown') {
            recordBreakdown(drill, step.id, m.b, 'participant');
            m.reply({ step: step.id, status: 'waiting', detail: 'breakdown recorded; the step still waits: confirm it (with a workaround if you took one), retry, or skip it' });
            continue;
          }
          if (m.type === 'skip') {
            r.note = m.s.reason;
            r.confirmedBy = m.s.by;
            drill.event('step.skipped', `skipped by ${m.s.by}: ${m.s.reason}`, step.id);
            closeBreakdowns(drill, step.id);
            m.reply({ step: step.id, status: 'skipped', detail: 'skipped' });
            return 'skipped';
          }
          if (m.type === 'confirm' && step.kind === 'manual' && step.verify !== undefined) {
            const seen = await hooks.contradiction(step);
            if (seen !== null) {
              recordBreakdown(drill, step.id, { by: m.c.by, code: 'system-differs', effect: 'prolonged', note: `confirmed by ${m.c.by}, but ${step.verify} says: ${seen}` }, 'verification');
              cur.resolved = false;
              m.reply({ step: step.id, status: 'waiting', detail: `contradicted: ${step.verify} does not hold (${seen}); recorded as a breakdown, the step still waits` });
              continue;
            }
          }
          if (m.type === 'confirm') confirmed(drill, step, r, m.c.by, { ...(m.c.as !== undefined && { role: m.c.as }), ...(m.c.note !== undefined && { note: m.c.note }), ...(m.c.workaround !== undefined && { workaround: m.c.workaround }) });
          else confirmed(drill, step, r, m.d.by, { role: m.d.as, ...(m.d.note !== undefined && { note: m.d.note }) });
          closeBreakdowns(drill, step.id);
          m.reply({ step: step.id, status: 'completed', detail: 'accepted' });
          return 'completed';
        }
      } finally {
        // A step that ends any other way (failure, abort) still answers whoever is waiting on it.
        for (const m of [...(taking ? [taking] : []), ...cur.inbox.splice(0)]) m.reply({ step: step.id, status: 'refused', detail: 'the step ended before this was taken' });
        current = null;
        drill.waiting = null;
      }
    },

    /** The unattended operator's answer to a step that would wait for people. */
    auto(step: PeopleStepSpec, r: StepResult): void {
      confirmed(drill, step, r, 'auto', step.kind === 'gate' ? { role: step.role } : {});
    },
  };
}
