// The controls of a scenario-undisclosed exercise, inside the drill workflow that runs it. Roles are
// enforced here, not trusted from the caller: every query and update carries a token, the workflow
// knows only the tokens' hashes, and validators refuse what a credential may not do before anything
// is recorded. Participants see symptoms; the facilitator sees everything and holds the clock.
import { condition, setHandler } from '@temporalio/workflow';
import { durationMs, formatDuration } from '../model/duration.js';
import { faultFindings, seededRandom, choose, toFaultPlan, type FaultPlan } from '../model/fault.js';
import { pausedWithin, tokenHash, type ExerciseRecord, type FacilitatorAction, type Inject } from '../model/exercise.js';
import { participantView, reveal } from '../model/exercise-view.js';
import { allSteps, type PeopleStepSpec, type StepSpec } from '../model/spec.js';
import type { DrillContext } from './context.js';
import { exerciseViewQuery, facilitateUpdate, incidentUpdate, type DrillView, type FacilitatorAnswer } from './messages.js';

export type ExerciseHooks = {
  /** the drill's full live state, for the facilitator */
  view(): DrillView;
  /** injects a fault on the chosen containers; resolves once it took effect */
  injectFault(step: string, plan: FaultPlan, targets: string[], durationMs?: number): Promise<void>;
};

type Holder = { role: 'facilitator' } | { role: 'participant'; name: string };

export function exerciseControls(drill: DrillContext, hooks: ExerciseHooks) {
  const ex = drill.spec.exercise!;
  const rec: ExerciseRecord = {
    exerciseId: ex.exerciseId, facilitator: ex.facilitator, windowMs: ex.windowMs, choice: ex.choice,
    injects: [], pauses: [], unavailable: [],
  };
  drill.record.exercise = rec;
  let paused = false;

  function holder(token: string | undefined): Holder {
    if (!token) throw new Error('this drill is an exercise: give your token (--token, or DRILL_TOKEN)');
    const h = tokenHash(token);
    if (h === ex.access.facilitator) return { role: 'facilitator' };
    const name = Object.entries(ex.access.participants).find(([, x]) => x === h)?.[0];
    if (name === undefined) throw new Error('not a token of this exercise');
    return { role: 'participant', name };
  }
  /** A participant who may act now: available, and the exercise not paused. */
  function participant(token: string | undefined, what: string): string {
    const h = holder(token);
    if (h.role !== 'participant') throw new Error(`the facilitator observes: ${what} is for participants`);
    if (rec.unavailable.includes(h.name)) throw new Error(`${h.name} is unavailable for the rest of this exercise: their access was revoked`);
    if (paused) throw new Error('the exercise is paused by the facilitator; try again when it resumes');
    if (drill.record.status !== 'running') throw new Error(`the exercise has ended (${drill.record.status})`);
    return h.name;
  }

  setHandler(exerciseViewQuery, (token) => {
    const h = holder(token);
    if (h.role === 'participant' && rec.unavailable.includes(h.name)) throw new Error(`${h.name} is unavailable for the rest of this exercise: their access was revoked`);
    if (h.role === 'facilitator') return { role: 'facilitator', exercise: rec, paused, reveal: reveal(drill.record, rec), drill: hooks.view() };
    const w = drill.waiting;
    return participantView({ record: drill.record, ex: rec, name: h.name, paused, waiting: w && { id: w.id, kind: w.kind, text: w.text, ...(w.role !== undefined && { role: w.role }), since: w.since } });
  });

  setHandler(incidentUpdate, (r) => {
    const name = participant(r.token, r.what === 'declare' ? 'declaring the incident' : 'reporting what you see');
    const at = Date.now();
    const note = r.note !== undefined && { note: r.note };
    rec.detected ??= { at, by: name, ...note };
    if (r.what === 'detect') {
      drill.event('exercise.detected', `${name} reports something is wrong${r.note ? `: ${r.note}` : ''}`);
      return `noted at ${new Date(at).toISOString()}: declare the incident when you have decided (drill exercise declare)`;
    }
    rec.declared = { at, by: name, ...note };
    drill.event('exercise.declared', `incident declared by ${name}${r.note ? `: ${r.note}` : ''}`);
    return `incident declared at ${new Date(at).toISOString()}: the runbook's steps are open to the team (drill exercise status)`;
  }, {
    validator: (r) => {
      participant(r.token, r.what === 'declare' ? 'declaring the incident' : 'reporting what you see');
      if (r.what !== 'detect' && r.what !== 'declare') throw new Error('report detect or declare');
      if (rec.declared) throw new Error(`the incident was already declared by ${rec.declared.by} at ${new Date(rec.declared.at).toISOString()}`);
      if (r.what === 'detect' && rec.detected) throw new Error(`${rec.detected.by} already reported it at ${new Date(rec.detected.at).toISOString()}`);
    },
  });

  setHandler(facilitateUpdate, async ({ action }): Promise<FacilitatorAnswer> => act(action), {
    validator: ({ token, action }) => {
      if (holder(token).role !== 'facilitator') throw new Error(`only the facilitator can ${action?.kind ?? 'do that'}`);
      checkAction(action);
    },
  });

  function checkAction(a: FacilitatorAction): void {
    const ended = drill.record.status !== 'running';
    switch (a.kind) {
      case 'reveal': return;
      case 'pause': if (paused) throw new Error('already paused'); break;
      case 'resume': if (!paused) throw new Error('not paused'); break;
      case 'abort': break;
      case 'inject': checkInject(a.inject); break;
      default: throw new Error(`unknown action ${(a as { kind: string }).kind}: pause, resume, abort, reveal or inject`);
    }
    if (ended) throw new Error(`the exercise has ended (${drill.record.status})`);
  }

  function checkInject(i: Inject): void {
    if (i.kind === 'unavailable') {
      if (!Object.hasOwn(drill.spec.participants ?? {}, i.person)) throw new Error(`no participant "${i.person}" (have: ${Object.keys(drill.spec.participants ?? {}).join(', ')})`);
      if (rec.unavailable.includes(i.person)) throw new Error(`${i.person} is already unavailable`);
    } else if (i.kind === 'vendor-unreachable') {
      if (!(i.forMs > 0)) throw new Error('vendor-unreachable needs a duration');
    } else if (i.kind === 'fault') {
      if (hooks.view().phase !== 'steps') throw new Error('the exercise\'s systems are not up yet (or are being removed): inject a fault once it runs its steps');
      const findings = faultFindings(i.fault, drill.spec.topology, ['fault']);
      if (findings.length > 0) throw new Error(findings.map((f) => `${f.path.join('.')}: ${f.message}`).join('; '));
    } else throw new Error(`unknown inject ${(i as { kind: string }).kind}: unavailable, vendor-unreachable or fault`);
  }

  async function act(a: FacilitatorAction): Promise<FacilitatorAnswer> {
    const at = Date.now();
    switch (a.kind) {
      case 'pause':
        paused = true;
        rec.pauses.push({ at, ...(a.reason !== undefined && { reason: a.reason }) });
        drill.event('exercise.paused', `paused by the facilitator${a.reason ? `: ${a.reason}` : ''}`);
        return { detail: 'paused: no step starts and participants\' answers are refused until you resume (faults already in place stay)' };
      case 'resume': {
        paused = false;
        const p = rec.pauses.at(-1)!;
        p.until = at;
        drill.event('exercise.resumed', `resumed after ${formatDuration(at - p.at)}`);
        return { detail: `resumed after ${formatDuration(at - p.at)}` };
      }
      case 'abort':
        drill.abort(`aborted by the facilitator${a.reason ? `: ${a.reason}` : ''}`);
        return { detail: 'aborting: every fault is healed and everything the exercise created is removed' };
      case 'reveal':
        rec.revealedAt ??= at;
        drill.event('exercise.revealed', `the facilitator revealed the scenario: ${ex.choice.scenario}`);
        return { detail: `revealed: ${ex.choice.scenario}`, reveal: reveal(drill.record, rec) };
      case 'inject':
        return { detail: await inject(a.inject, at) };
    }
  }

  async function inject(i: Inject, at: number): Promise<string> {
    let detail: string;
    if (i.kind === 'unavailable') {
      rec.unavailable.push(i.person);
      detail = `${i.person} is unavailable for the rest of the exercise: their access is revoked`;
    } else if (i.kind === 'vendor-unreachable') {
      rec.vendorUnreachableUntil = at + i.forMs;
      detail = `the vendor cannot be reached for ${formatDuration(i.forMs)} (until ${new Date(at + i.forMs).toISOString()})`;
    } else {
      const step = `inject-${rec.injects.length + 1}`;
      const plan = toFaultPlan(i.fault, durationMs);
      const targets = choose(plan.select, drill.spec.topology, seededRandom(ex.choice.drillSeed + rec.injects.length + 1));
      // Recorded before it is injected, so a reveal or report taken meanwhile shows it.
      const entry = { at, by: ex.facilitator, inject: i, detail: `${i.fault.type} on ${targets.join(', ')}` };
      rec.injects.push(entry);
      drill.event('exercise.inject', entry.detail, step);
      await hooks.injectFault(step, plan, targets, i.forMs);
      return `${entry.detail}: in place${i.forMs !== undefined ? ` for ${formatDuration(i.forMs)}` : ' until the exercise ends'}`;
    }
    rec.injects.push({ at, by: ex.facilitator, inject: i, detail });
    drill.event('exercise.inject', detail);
    return detail;
  }

  return {
    /** Before each top-level step: wait out a pause; before the first fault, wait for the sealed moment. */
    async ready(step: StepSpec): Promise<void> {
      await condition(() => !paused);
      if (rec.momentAt !== undefined || !allSteps([step]).some((s) => s.kind === 'fault')) return;
      for (;;) {
        await condition(() => !paused);
        const due = drill.record.startedAt + ex.choice.momentMs + pausedWithin(rec.pauses, drill.record.startedAt, Date.now());
        if (Date.now() >= due) break;
        await condition(() => paused, due - Date.now());
      }
      rec.momentAt = Date.now();
    },

    /** Refuses a participant's answer that the exercise does not allow now. */
    authorize(token: string | undefined, by: string): void {
      const name = participant(token, 'answering a step');
      if (by !== name) throw new Error(`this token is ${name}'s: it cannot answer as ${by}`);
      if (!rec.declared) throw new Error('no incident has been declared: declare it first (drill exercise declare)');
    },
    /** A notification to the vendor does not go through while the vendor is unreachable. */
    reachable(step: PeopleStepSpec): void {
      if (step.kind === 'notify' && step.audience === 'vendor' && (rec.vendorUnreachableUntil ?? 0) > Date.now()) {
        throw new Error(`${step.to} does not answer: the vendor cannot be reached now`);
      }
    },
  };
}

export type ExerciseControls = ReturnType<typeof exerciseControls>;
