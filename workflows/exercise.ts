// exerciseWorkflow: a scenario-undisclosed exercise (シナリオ非提示型訓練). It reads the pool as it is
// when the exercise starts, seals its choice of scenario, target and moment (from a seed: the same seed
// chooses the same), tells the facilitator, and runs the drill as a child that only answers token
// holders. Its reports carry the reveal; they are the facilitator's to hand out.
import { executeChild, patched, workflowInfo } from '@temporalio/workflow';
import { chooseExercise, exerciseDrill, exerciseIdOf, type ExerciseInput } from '../model/exercise.js';
import { formatDuration } from '../model/duration.js';
import { files, notifier, sealing } from './activities.js';
import { drillWorkflow } from './drill.js';
import { failureMessage } from './failures.js';

export type ExerciseResult = { exerciseId: string; drillId: string; status: string; reportDir: string };

export async function exerciseWorkflow(input: ExerciseInput): Promise<ExerciseResult> {
  // A schedule's firing is named `<schedule>-run-<time>`: container names take no colons.
  const exerciseId = input.exerciseId ?? exerciseIdOf(workflowInfo().workflowId);
  const startedAt = workflowInfo().startTime.getTime();
  const pool = await files.loadPool({ paths: input.pool, firedAt: startedAt }).catch(async (err) => {
    // A scheduled exercise that cannot start must not fail unheard.
    await notifier.notify({ drillId: exerciseId, subject: 'exercise could not start', message: `exercise ${exerciseId}: its pool could not be read: ${failureMessage(err)}`, ...(input.webhook !== undefined && { webhook: input.webhook }) });
    throw err;
  });
  const seed = input.seed ?? await drawSeed();
  const choice = chooseExercise(pool, seed, input.windowMs);
  const spec = exerciseDrill(exerciseId, input, pool, choice);
  // The notice says nothing sealed: webhooks often land in channels participants read too.
  await notifier.notify({
    drillId: exerciseId, subject: 'exercise started',
    message: `exercise ${exerciseId} for facilitator ${input.facilitator} has started: something from a pool of ${pool.length} happens within ${formatDuration(input.windowMs)}; follow it with drill exercise status ${exerciseId} --token <facilitator token>`,
    ...(input.webhook !== undefined && { webhook: input.webhook }),
  });
  const record = await executeChild(drillWorkflow, { workflowId: spec.drillId, args: [spec] });
  const written = await files.writeDrillReports({ record, results: input.results, ...(input.lang && { lang: input.lang }) });
  return { exerciseId, drillId: spec.drillId, status: written.status, reportDir: written.dir };
}

/**
 * The seal's seed when none was given. Workflow randomness is seeded from the run ID, which anyone who
 * can list workflows reads: it would seal nothing. The draw is an activity (node:crypto), so each
 * exercise and each scheduled firing gets a seed no workflow metadata gives away. Exercises started
 * before kept their workflow randomness, so their histories replay.
 */
async function drawSeed(): Promise<number> {
  if (patched('sealed-seed-from-crypto')) return sealing.drawSeed();
  return Math.floor(Math.random() * 2 ** 31);
}
