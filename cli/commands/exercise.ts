// `drill exercise`: the facilitator starts a scenario-undisclosed exercise and steers it; participants
// report what they see. Every command but `start` carries a token, and the drill decides what it allows.
import type { Command } from 'commander';
import type { FacilitatorAction } from '../../model/exercise.js';
import type { ExerciseResult } from '../../workflows/exercise.js';
import { describeStart, exerciseView, facilitate, injectFrom, newExerciseId, renderExercise, renderReveal, reportIncident, startExercise, tokenOf } from '../exercise.js';
import { jsonOption, langOption, noteOption, noWorkerOption, ownTaskQueueOption, participantOption, queueOf, reasonOption, resultsOption, seedOption, tokenOption, webhookOption } from '../options.js';
import { withClient, withWorker } from '../temporal.js';

const FACILITATOR_TOKEN = 'the facilitator\'s token (or DRILL_TOKEN)';

function registerStart(exercise: Command): void {
  exercise.command('start').description('start an exercise: seals which pool scenario, target and moment; prints the facilitator\'s and each participant\'s token')
    .requiredOption('--pool <paths...>', 'scenario files, or directories of them (e.g. scenarios/unannounced)')
    .requiredOption('--window <duration>', 'the fault happens within this long of the start, e.g. 30m')
    .requiredOption('--facilitator <name>', 'who runs the exercise (not a participant)')
    .addOption(seedOption('seed of the sealed choice: the same pool, window and seed choose the same'))
    .addOption(participantOption('a participant and their roles, e.g. alice:operator (repeatable; default: everyone the pool names)'))
    .addOption(webhookOption('where the facilitator\'s notices go (exercise started, escalations, RTO budget)'))
    .addOption(resultsOption('where the reports (with the reveal) are written'))
    .option('--id <id>', 'exercise id (default exercise-<time>-<random>)')
    .addOption(jsonOption('print the exercise id and tokens as JSON'))
    .option('--detach', 'return once started (a `drill worker` carries it out)')
    .addOption(ownTaskQueueOption())
    .addOption(noWorkerOption())
    .addOption(langOption())
    .action(async (o) => withClient(async (client, address) => {
      const id: string = o.id ?? newExerciseId();
      // Its worker in this process polls a queue of its own; a detached exercise waits for `drill worker`.
      const taskQueue = queueOf(o.taskQueue, o.worker && !o.detach, `drill-${id}`);
      const s = await startExercise(client, { pool: o.pool, window: o.window, seed: o.seed, facilitator: o.facilitator, participants: o.participant, results: o.results, webhook: o.webhook, id, taskQueue, lang: o.lang });
      console.log(o.json ? JSON.stringify({ exerciseId: s.exerciseId, tokens: s.tokens }) : describeStart(s));
      if (o.detach) return;
      const done = client.workflow.getHandle(s.exerciseId).result() as Promise<ExerciseResult>;
      const r = await withWorker(address, taskQueue, o.worker, () => done);
      console.error(`exercise ${r.exerciseId}: ${r.status}; report (with the reveal, for the facilitator): ${r.reportDir}/report.md`);
    }));
}

function registerParticipants(exercise: Command): void {
  exercise.command('status').description('what your token may see: participants, the symptoms; the facilitator, everything').argument('<exercise-id>')
    .addOption(tokenOption()).addOption(jsonOption())
    .action(async (id: string, o) => withClient(async (client) => {
      const v = await exerciseView(client, id, tokenOf(o.token));
      console.log(o.json ? JSON.stringify(v) : renderExercise(v));
    }));
  for (const what of ['detect', 'declare'] as const) {
    exercise.command(what).description(what === 'detect' ? 'a participant reports that something is wrong (time to detect)' : 'a participant declares the incident (time to declare); the runbook\'s steps open to the team')
      .argument('<exercise-id>').addOption(tokenOption()).addOption(noteOption())
      .action(async (id: string, o) => withClient(async (client) => console.log(await reportIncident(client, id, tokenOf(o.token), what, o.note))));
  }
}

function registerFacilitator(exercise: Command): void {
  for (const what of ['pause', 'resume', 'abort', 'reveal'] as const) {
    exercise.command(what).description(`the facilitator ${what === 'reveal' ? 'reveals the sealed scenario, target and moment' : `${what}s the exercise`}`)
      .argument('<exercise-id>').addOption(tokenOption(FACILITATOR_TOKEN)).addOption(reasonOption()).addOption(jsonOption())
      .action(async (id: string, o) => withClient(async (client) => {
        const action: FacilitatorAction = what === 'pause' || what === 'abort' ? { kind: what, ...(o.reason && { reason: o.reason }) } : { kind: what };
        const a = await facilitate(client, id, tokenOf(o.token), action);
        console.log(o.json ? JSON.stringify(a) : a.reveal ? renderReveal(a.reveal) : a.detail);
      }));
  }
  exercise.command('inject').description('the facilitator adds a complication: a person unavailable (access revoked), the vendor unreachable, or one more fault')
    .argument('<exercise-id>').addOption(tokenOption(FACILITATOR_TOKEN))
    .option('--unavailable <name>', 'this participant is unavailable for the rest of the exercise')
    .option('--vendor-unreachable <duration>', 'notifying the vendor does not go through for this long, e.g. 2h')
    .option('--fault <yaml>', 'a fault as in a scenario, e.g. "{ type: kill, target: pg-b }"')
    .option('--for <duration>', 'with --fault: heal it after this long (default: when the exercise ends)')
    .addOption(noteOption())
    .action(async (id: string, o) => {
      // A malformed inject is refused before Temporal is reached.
      const inject = injectFrom(o);
      await withClient(async (client) => console.log((await facilitate(client, id, tokenOf(o.token), { kind: 'inject', inject })).detail));
    });
}

export function register(program: Command): void {
  const exercise = program.command('exercise').description('scenario-undisclosed exercises: the facilitator starts one from a pool; participants see only symptoms');
  registerStart(exercise);
  registerParticipants(exercise);
  registerFacilitator(exercise);
}
