// Participants' answers to the step waiting for them, as Workflow Updates. Validators refuse what
// cannot apply (wrong step, wrong role, an unknown code, a credential an exercise refuses) before
// anything is recorded; an accepted answer is queued for the step's runner, which replies.
import { condition, setHandler } from '@temporalio/workflow';
import { BREAKDOWN_CODES, BREAKDOWN_EFFECTS } from '../model/breakdown.js';
import type { PeopleStepSpec } from '../model/spec.js';
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

export type Message =
  | { type: 'confirm'; c: Confirmation; reply(a: Ack): void }
  | { type: 'decide'; d: Decision; reply(a: Ack): void }
  | { type: 'breakdown'; b: BreakdownReport; reply(a: Ack): void }
  | { type: 'skip'; s: Skip; reply(a: Ack): void };

/** The step waiting for people: since when, its queue of answers, and whether one is being taken. */
export type Waiting = { step: PeopleStepSpec; since: number; inbox: Message[]; resolved: boolean };

const nonEmpty = (what: string, v: string | undefined) => { if (!v || !v.trim()) throw new Error(`${what} must not be empty`); };

/** `waiting()` is the step waiting now, if any. */
export function registerAnswers(drill: DrillContext, hooks: PeopleHooks, waiting: () => Waiting | null): void {
  const describeWaiting = () => { const current = waiting(); return current ? `the drill is waiting on step "${current.step.id}"` : 'no step is waiting for people now'; };
  function waitingOn(stepId: string, kinds: PeopleStepSpec['kind'][]): Waiting {
    const current = waiting();
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

  /** Queues a message for the waiting step and answers when the step's runner has dealt with it. */
  async function deliver(make: (reply: (a: Ack) => void) => Message): Promise<Ack> {
    const current = waiting();
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

}
