// The controls of a scenario-undisclosed exercise, inside the drill workflow that runs it: the
// token-checked view, participants' detection and declaration, the facilitator's actions
// (exercise-facilitator.ts), and the hold before the sealed moment. Who may do what is in
// exercise-access.ts. Participants see symptoms; the facilitator sees everything and holds the clock.
import { condition, setHandler } from '@temporalio/workflow';
import { pausedWithin, type ExerciseRecord } from '../model/exercise.js';
import { participantView, reveal } from '../model/exercise-view.js';
import { allSteps, type PeopleStepSpec, type StepSpec } from '../model/spec.js';
import type { DrillContext } from './context.js';
import { authorize, holder, participant, reachable, unavailable, type ExerciseHooks, type ExerciseState } from './exercise-access.js';
import { act, checkAction } from './exercise-facilitator.js';
import { exerciseViewQuery, facilitateUpdate, incidentUpdate, type FacilitatorAnswer } from './messages.js';

export function exerciseControls(drill: DrillContext, hooks: ExerciseHooks) {
  const ex = drill.spec.exercise!;
  const rec: ExerciseRecord = {
    exerciseId: ex.exerciseId, facilitator: ex.facilitator, windowMs: ex.windowMs, choice: ex.choice,
    injects: [], pauses: [], unavailable: [],
  };
  drill.record.exercise = rec;
  const state: ExerciseState = { drill, ex, rec, paused: false };

  setHandler(exerciseViewQuery, (token) => {
    const h = holder(state, token);
    if (h.role === 'participant' && rec.unavailable.includes(h.name)) throw unavailable(h.name);
    if (h.role === 'facilitator') return { role: 'facilitator', exercise: rec, paused: state.paused, reveal: reveal(drill.record, rec), drill: hooks.view() };
    const w = drill.waiting;
    return participantView({ record: drill.record, ex: rec, name: h.name, paused: state.paused, waiting: w && { id: w.id, kind: w.kind, text: w.text, ...(w.role !== undefined && { role: w.role }), since: w.since } });
  });

  setHandler(incidentUpdate, (r) => {
    const name = participant(state, r.token, r.what === 'declare' ? 'declaring the incident' : 'reporting what you see');
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
      participant(state, r.token, r.what === 'declare' ? 'declaring the incident' : 'reporting what you see');
      if (r.what !== 'detect' && r.what !== 'declare') throw new Error('report detect or declare');
      if (rec.declared) throw new Error(`the incident was already declared by ${rec.declared.by} at ${new Date(rec.declared.at).toISOString()}`);
      if (r.what === 'detect' && rec.detected) throw new Error(`${rec.detected.by} already reported it at ${new Date(rec.detected.at).toISOString()}`);
    },
  });

  setHandler(facilitateUpdate, async ({ action }): Promise<FacilitatorAnswer> => act(state, hooks, action), {
    validator: ({ token, action }) => {
      if (holder(state, token).role !== 'facilitator') throw new Error(`only the facilitator can ${action?.kind ?? 'do that'}`);
      checkAction(state, action);
    },
  });

  return {
    /** Before each top-level step: wait out a pause; before the first fault, wait for the sealed moment. */
    async ready(step: StepSpec): Promise<void> {
      await condition(() => !state.paused);
      if (rec.momentAt !== undefined || !allSteps([step]).some((s) => s.kind === 'fault')) return;
      for (;;) {
        await condition(() => !state.paused);
        const due = drill.record.startedAt + ex.choice.momentMs + pausedWithin(rec.pauses, drill.record.startedAt, Date.now());
        if (Date.now() >= due) break;
        await condition(() => state.paused, due - Date.now());
      }
      rec.momentAt = Date.now();
    },

    authorize: (token: string | undefined, by: string) => authorize(state, token, by),
    reachable: (step: PeopleStepSpec) => reachable(state, step),
  };
}

export type ExerciseControls = ReturnType<typeof exerciseControls>;
