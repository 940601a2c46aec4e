// People in the drill: manual runbook steps, decision gates and notifications wait for participants,
// who answer through Workflow Updates. Validators refuse what cannot apply (wrong step, wrong role,
// an unknown code) before anything is recorded; handlers re-check, so nothing is recorded twice.
// Overrun and escalation are durable timers: a wait of days depends on no process staying up.
import { condition, isCancellation, setHandler } from '@temporalio/workflow';
import { BREAKDOWN_CODES, BREAKDOWN_EFFECTS } from '../model/breakdown.js';
import type { StepResult, WaitingStep } from '../model/record.js';
import type { PeopleStepSpec } from '../model/spec.js';
import { formatDuration } from '../model/duration.js';
import type { DrillContext } from './context.js';
import {
  completeStepUpdate, decideUpdate, reportBreakdownUpdate, skipStepUpdate,
  type Ack, type BreakdownReport, type Confirmation, type Decision, type Skip,
} from './messages.js';

export type PeopleHooks = {
  /** null when the step's verification probe holds; otherwise what the system showed instead */
  contradiction(step: PeopleStepSpec): Promise<string | null>;
  /**
   * An exercise's checks: `authorize` refuses a credential that may not answer now (before anything
   * about the steps is said), `reachable` a step the exercise's injects block. Absent in other drills.
   */
  exercise?: { authorize(token: string | undefined, by: string): void; reachable(step: PeopleStepSpec): void };
};

/** What participants see of the step waiting for them. */
function waitingStep(s: PeopleStepSpec, since: number): WaitingStep {
  const text = s.kind === 'manual' ? s.runbook : s.kind === 'gate' ? s.decision : `${s.audience} → ${s.to}: ${s.message}`;
  return { id: s.id, kind: s.kind, since, text, ...(('role' in s && s.role !== undefined) && { role: s.role }), ...(s.expectedMs !== undefined && { expectedMs: s.expectedMs }) };
}

type Message =
  | { type: 'confirm'; c: Confirmation; reply(a: Ack): void }
  | { type: 'decide'; d: Decision; reply(a: Ack): void }
  | { type: 'breakdown'; b: BreakdownReport; reply(a: Ack): void }
  | { type: 'skip'; s: Skip; reply(a: Ack): void };

type Current = { step: PeopleStepSpec; since: number; inbox: Message[]; resolved: boolean };

export type PeopleSteps = ReturnType<typeof peopleSteps>;

export function peopleSteps(drill: DrillContext, hooks: PeopleHooks) {
  let current: Current | null = null;

  const describeWaiting = () => (current ? `the drill is waiting on step "${current.step.id}"` : 'no step is waiting for people now');
  function waitingOn(stepId: string, kinds: PeopleStepSpec['kind'][]): Current {
    if (current && current.step.id === stepId && current.resolved) {
      throw new Error(`step "${stepId}" was already answered; that answer is being taken (a confirmation may be checked against the system)`);
    }
    if (!current || current.step.id !== stepId) {
      // An exercise's participants must not learn the hidden steps' names by asking for them.
      if (hooks.exercise) throw new Error(`step "${stepId}" is not waiting for the team (drill exercise status shows the one that is)`);
      const known = drill.spec.steps.some((s) => s.id === stepId);
      throw new Error(known ? `step "${stepId}" is not waiting (${describeWaiting()})` : `no step "${stepId}" in this drill`);
    }
    if (!kinds.includes(current.step.kind)) throw new Error(`step "${stepId}" is a ${current.step.kind} step: ${current.step.kind === 'gate' ? 'use decide' : 'confirm it instead'}`);
    return current;
  }
  function checkRole(role: string | undefined, as: string | undefined, by: string) {
    if (role === undefined) return;
    if (as !== role) throw new Error(`this needs the role "${role}"; ${by} acted as ${as === undefined ? 'no role' : `"${as}"`}`);
    const participants = drill.spec.participants;
    if (participants && !(participants[by] ?? []).includes(role)) throw new Error(`${by} does not hold the role "${role}" in this drill's participants`);
  }
  const nonEmpty = (what: string, v: string | undefined) => { if (!v || !v.trim()) throw new Error(`${what} must not be empty`); };

  /** Queues a message for the waiting step and answers when the step's runner has dealt with it. */
  async function deliver(make: (reply: (a: Ack) => void) => Message): Promise<Ack> {
    let ack: Ack | undefined;
    const m = make((a) => { ack ??= a; }); // the first answer stands
    if (m.type !== 'breakdown' && current) current.resolved = true; // a second confirmation in the same task is refused
    current!.inbox.push(m);
    await condition(() => ack !== undefined);
    return ack!;
  }

  setHandler(completeStepUpdate, (c) => deliver((reply) => ({ type: 'confirm', c, reply })), {
    validator: (c) => {
      nonEmpty('by', c.by);
      hooks.exercise?.authorize(c.token, c.by);
      const cur = waitingOn(c.step, ['manual', 'notify']);
      hooks.exercise?.reachable(cur.step);
      if (cur.step.kind === 'manual') checkRole(cur.step.role, c.as, c.by);
    },
  });
  setHandler(decideUpdate, (d) => deliver((reply) => ({ type: 'decide', d, reply })), {
    validator: (d) => {
      nonEmpty('by', d.by);
      hooks.exercise?.authorize(d.token, d.by);
      const cur = waitingOn(d.gate, ['gate']);
      checkRole((cur.step as Extract<PeopleStepSpec, { kind: 'gate' }>).role, d.as, d.by);
    },
  });
  setHandler(reportBreakdownUpdate, (b) => deliver((reply) => ({ type: 'breakdown', b, reply })), {
    validator: (b) => {
      nonEmpty('by', b.by);
      nonEmpty('note', b.note);
      hooks.exercise?.authorize(b.token, b.by);
      waitingOn(b.step, ['manual', 'gate', 'notify']);
      if (!Object.hasOwn(BREAKDOWN_CODES, b.code)) throw new Error(`unknown breakdown code "${b.code}" (one of: ${Object.keys(BREAKDOWN_CODES).join(', ')})`);
      if (!(BREAKDOWN_EFFECTS as readonly string[]).includes(b.effect)) throw new Error(`effect must be one of: ${BREAKDOWN_EFFECTS.join(', ')}`);
    },
  });
  setHandler(skipStepUpdate, (s) => deliver((reply) => ({ type: 'skip', s, reply })), {
    validator: (s) => { nonEmpty('by', s.by); nonEmpty('reason', s.reason); hooks.exercise?.authorize(s.token, s.by); waitingOn(s.step, ['manual', 'gate', 'notify']); },
  });

  function recordBreakdown(step: string, b: Omit<BreakdownReport, 'step'>, source: 'participant' | 'verification') {
    drill.record.breakdowns.push({ step, code: b.code, note: b.note, effect: b.effect, by: b.by, reportedAt: Date.now(), source });
    drill.event('breakdown', `${b.code} (${b.effect}) by ${b.by}: ${b.note}`, step);
  }

  function closeBreakdowns(stepId: string) {
    const now = Date.now();
    for (const b of drill.record.breakdowns) {
      if (b.step === stepId && b.resolvedAt === undefined) {
        b.resolvedAt = now;
        b.lostMs = now - b.reportedAt;
      }
    }
  }

  function confirmed(step: PeopleStepSpec, r: StepResult, by: string, extra: { role?: string; note?: string; workaround?: string }) {
    Object.assign(r, { confirmedBy: by, confirmedAt: Date.now() }, extra);
    if (step.kind === 'notify') {
      drill.record.notifications.push({ step: step.id, audience: step.audience, to: step.to, message: step.message, at: Date.now(), by });
      drill.event('notification', `${step.audience} → ${step.to}: ${step.message} (by ${by})`, step.id);
    } else if (step.kind === 'gate') {
      drill.event('decision', `${step.decision}: decided by ${by} as ${extra.role}${extra.note ? ` (${extra.note})` : ''}`, step.id);
    } else {
      drill.event('manual.confirmed', `confirmed by ${by}${extra.workaround ? `, with a workaround: ${extra.workaround}` : ''}${extra.note ? ` (${extra.note})` : ''}`, step.id);
    }
  }

  /** Timers of a waiting step: overrun at its expected duration, escalation at its limit. */
  function timersFor(step: PeopleStepSpec, r: StepResult, since: number) {
    const timers: { at: number; fire(): Promise<void> }[] = [];
    if (step.expectedMs !== undefined) {
      timers.push({ at: since + step.expectedMs, fire: async () => {
        r.overrun = true;
        drill.event('step.overrun', `past its expected ${formatDuration(step.expectedMs)}`, step.id);
      } });
    }
    if (step.escalateAfterMs !== undefined) {
      timers.push({ at: since + step.escalateAfterMs, fire: async () => {
        r.escalated = true;
        const message = `step "${step.id}" has waited ${formatDuration(step.escalateAfterMs)} (expected ${formatDuration(step.expectedMs)})`;
        drill.event('step.escalated', message, step.id);
        await drill.notify('escalation', message);
      } });
    }
    return timers.sort((a, b) => a.at - b.at);
  }

  return {
    /** Waits until participants resolve the step: 'completed' or 'skipped'. */
    async run(step: PeopleStepSpec, r: StepResult): Promise<'completed' | 'skipped'> {
      const cur: Current = { step, since: Date.now(), inbox: [], resolved: false };
      current = cur;
      drill.waiting = waitingStep(step, cur.since);
      r.status = 'waiting';
      drill.event('step.waiting', step.kind === 'gate' ? `decision needed from ${step.role}` : 'waiting for a participant', step.id);
      const timers = timersFor(step, r, cur.since);
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
            recordBreakdown(step.id, m.b, 'participant');
            m.reply({ step: step.id, status: 'waiting', detail: 'breakdown recorded; the step still waits: confirm it (with a workaround if you took one), retry, or skip it' });
            continue;
          }
          if (m.type === 'skip') {
            r.note = m.s.reason;
            r.confirmedBy = m.s.by;
            drill.event('step.skipped', `skipped by ${m.s.by}: ${m.s.reason}`, step.id);
            closeBreakdowns(step.id);
            m.reply({ step: step.id, status: 'skipped', detail: 'skipped' });
            return 'skipped';
          }
          if (m.type === 'confirm' && step.kind === 'manual' && step.verify !== undefined) {
            const seen = await hooks.contradiction(step);
            if (seen !== null) {
              recordBreakdown(step.id, { by: m.c.by, code: 'system-differs', effect: 'prolonged', note: `confirmed by ${m.c.by}, but ${step.verify} says: ${seen}` }, 'verification');
              cur.resolved = false;
              m.reply({ step: step.id, status: 'waiting', detail: `contradicted: ${step.verify} does not hold (${seen}); recorded as a breakdown, the step still waits` });
              continue;
            }
          }
          if (m.type === 'confirm') confirmed(step, r, m.c.by, { ...(m.c.as !== undefined && { role: m.c.as }), ...(m.c.note !== undefined && { note: m.c.note }), ...(m.c.workaround !== undefined && { workaround: m.c.workaround }) });
          else confirmed(step, r, m.d.by, { role: m.d.as, ...(m.d.note !== undefined && { note: m.d.note }) });
          closeBreakdowns(step.id);
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
      confirmed(step, r, 'auto', step.kind === 'gate' ? { role: step.role } : {});
    },
  };
}
