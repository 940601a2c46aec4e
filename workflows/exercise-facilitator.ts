// The facilitator's actions in an exercise: pause and resume the exercise's clock, abort it, reveal
// the sealed choice, and inject complications (a person unavailable, a vendor unreachable, one more
// fault). Each is checked before it is taken, so a refusal is an answer and nothing is recorded.
import { durationMs, formatDuration } from '../model/duration.js';
import { faultFindings, seededRandom, choose, toFaultPlan } from '../model/fault.js';
import type { FacilitatorAction, Inject } from '../model/exercise.js';
import { reveal } from '../model/exercise-view.js';
import type { ExerciseHooks, ExerciseState } from './exercise-access.js';
import type { FacilitatorAnswer } from './messages.js';

export function checkAction(state: ExerciseState, a: FacilitatorAction): void {
  const { drill } = state;
  const ended = drill.record.status !== 'running';
  switch (a.kind) {
    case 'reveal': return;
    case 'pause': if (state.paused) throw new Error('already paused'); break;
    case 'resume': if (!state.paused) throw new Error('not paused'); break;
    case 'abort': break;
    case 'inject': checkInject(state, a.inject); break;
    default: throw new Error(`unknown action ${(a as { kind: string }).kind}: pause, resume, abort, reveal or inject`);
  }
  if (ended) throw new Error(`the exercise has ended (${drill.record.status})`);
}

function checkInject({ drill, rec }: ExerciseState, i: Inject): void {
  if (i.kind === 'unavailable') {
    if (!Object.hasOwn(drill.spec.participants ?? {}, i.person)) throw new Error(`no participant "${i.person}" (have: ${Object.keys(drill.spec.participants ?? {}).join(', ')})`);
    if (rec.unavailable.includes(i.person)) throw new Error(`${i.person} is already unavailable`);
  } else if (i.kind === 'vendor-unreachable') {
    if (!(i.forMs > 0)) throw new Error('vendor-unreachable needs a duration');
  } else if (i.kind === 'fault') {
    if (drill.phase !== 'steps') throw new Error('the exercise\'s systems are not up yet (or are being removed): inject a fault once it runs its steps');
    const findings = faultFindings(i.fault, drill.spec.topology, ['fault']);
    if (findings.length > 0) throw new Error(findings.map((f) => `${f.path.join('.')}: ${f.message}`).join('; '));
  } else throw new Error(`unknown inject ${(i as { kind: string }).kind}: unavailable, vendor-unreachable or fault`);
}

/** Takes a facilitator's action, already checked by checkAction. */
export async function act(state: ExerciseState, hooks: ExerciseHooks, a: FacilitatorAction): Promise<FacilitatorAnswer> {
  const { drill, ex, rec } = state;
  const at = Date.now();
  switch (a.kind) {
    case 'pause':
      state.paused = true;
      rec.pauses.push({ at, ...(a.reason !== undefined && { reason: a.reason }) });
      drill.event('exercise.paused', `paused by the facilitator${a.reason ? `: ${a.reason}` : ''}`);
      return { detail: 'paused: no step starts and participants\' answers are refused until you resume (faults already in place stay)' };
    case 'resume': {
      state.paused = false;
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
      return { detail: await inject(state, hooks, a.inject, at) };
  }
}

async function inject({ drill, ex, rec }: ExerciseState, hooks: ExerciseHooks, i: Inject, at: number): Promise<string> {
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
