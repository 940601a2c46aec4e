// What anyone with access to the namespace may ask of a running drill: its live state, an abort, a
// heal of every fault in place. An exercise refuses all three: they would hand the sealed scenario to
// anyone who asked, or end the exercise for them; its own token-checked controls take their place.
import { setHandler } from '@temporalio/workflow';
import type { DrillContext } from './context.js';
import type { FaultRunner } from './faults.js';
import { abortSignal, healSignal, statusQuery, type DrillView } from './messages.js';

/** The drill's full live state: what `drill status` shows and an exercise's facilitator sees. */
export function drillView(drill: DrillContext, faults: FaultRunner): DrillView {
  const { spec, record } = drill;
  return {
    drillId: spec.drillId, scenario: spec.scenario, status: record.status, phase: drill.phase, startedAt: record.startedAt, t0: record.t0,
    steps: record.steps, waiting: drill.waiting, breakdowns: record.breakdowns.length,
    objectives: spec.objectives.map(({ system, rtoMs, rpoMs }) => ({ system, rtoMs, rpoMs })),
    lastEvents: record.timeline.slice(-10),
    activeFaults: faults.active(),
  };
}

export function drillControls(drill: DrillContext, faults: FaultRunner, isExercise: boolean): void {
  setHandler(statusQuery, (): DrillView => {
    if (isExercise) throw new Error('this drill is an exercise: its state is shown only with a token (drill exercise status ID --token T)');
    return drillView(drill, faults);
  });
  setHandler(abortSignal, (reason) => {
    if (isExercise) drill.event('exercise.refused', 'an abort signal without a token was ignored: the facilitator aborts with drill exercise abort');
    else drill.abort(reason ?? 'aborted by the facilitator');
  });
  setHandler(healSignal, async () => {
    // Healing an exercise's sealed fault would end the exercise for anyone who asked: the facilitator aborts.
    if (isExercise) return drill.event('exercise.refused', 'a heal signal without a token was ignored: the facilitator heals by aborting the exercise');
    drill.event('heal.requested', 'every fault in place is healed now (drill heal)');
    await faults.healAll();
  });
}
