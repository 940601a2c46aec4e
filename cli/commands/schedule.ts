// `drill schedule`: drills, or unannounced exercises, fired by Temporal Schedules; the work is in ../schedule.ts.
import type { Command } from 'commander';
import { describeTokens } from '../exercise.js';
import { jsonOption, langOption, noteOption, operatorOption, participantOption, resultsOption, taskQueueOption, webhookOption } from '../options.js';
import { actOnSchedule, createSchedule, listSchedules } from '../schedule.js';
import { withClient } from '../temporal.js';

export function register(program: Command): void {
  const schedule = program.command('schedule').description('scheduled drills as Temporal Schedules (workers must be running: drill worker)');
  schedule.command('create').description('schedule a scenario, or an unannounced exercise from a pool: --cron EXPR or --every DURATION (e.g. 1y)')
    .option('--scenario <file>', 'the scenario; read when each drill fires, so an accepted revision is what runs')
    .option('--pool <paths...>', 'instead of --scenario: an unannounced exercise from this pool (with --window and --facilitator); only the facilitator is told when it fires')
    .option('--window <duration>', 'with --pool: the fault happens within this long of the firing')
    .option('--facilitator <name>', 'with --pool: who runs the exercise')
    .addOption(participantOption('with --pool: a participant and their roles (repeatable; default: everyone the pool names)'))
    .addOption(jsonOption('print the schedule id (and an exercise\'s tokens) as JSON'))
    .option('--cron <expr>', 'cron expression, e.g. "0 9 1 3 *" (09:00 UTC every 1 March)')
    .option('--every <duration>', 'interval, e.g. 1y, 90d, 12h')
    .option('--start <date>', 'no drill before this date')
    .addOption(operatorOption('auto or people'))
    .addOption(resultsOption())
    .option('--id <id>', 'schedule id (default drill-<scenario name>)')
    .option('--paused', 'create it paused')
    .option('--remind <befores>', 'with --every and --start: remind the facilitator this long before each drill, e.g. 14d,1d', (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean))
    .addOption(webhookOption('where reminders are POSTed (they are always logged by the worker)'))
    .addOption(taskQueueOption())
    .addOption(langOption())
    .action(async (o) => withClient(async (client) => {
      const made = await createSchedule(client, { ...o, participants: o.participant });
      if (o.json) return console.log(JSON.stringify({ scheduleId: made.scheduleId, ...(made.exercise && { tokens: made.exercise.tokens }) }));
      console.log(`schedule ${made.scheduleId} created`);
      // The same tokens serve every firing: the facilitator hands the participants theirs now.
      if (made.exercise) console.log(describeTokens(made.exercise.tokens, `${made.scheduleId}-run-<firing time, as the facilitator's notice gives it>`));
    }));
  schedule.command('list').action(async () => withClient(async (client) => console.log(await listSchedules(client))));
  for (const what of ['pause', 'resume', 'delete', 'trigger'] as const) {
    schedule.command(what).argument('<schedule-id>').addOption(noteOption())
      .action(async (id: string, o) => withClient(async (client) => console.log(await actOnSchedule(client, id, what, o.note))));
  }
}
