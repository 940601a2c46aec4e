// `drill schedule`: scheduled drills (the annual drill, or any cadence) as Temporal Schedules, not a
// home-made timer. Each firing starts scheduledDrillWorkflow, which reads the scenario as it is then,
// runs the drill and writes its reports, or an unannounced exercise (exerciseWorkflow), which tells the
// facilitator and no one else. Workers (`drill worker`) must be running to carry them out.
import { resolve } from 'node:path';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { parseDuration } from '../model/duration.js';
import { formatError, validateScenarioFile } from '../model/validate.js';
import { type Lang } from '../model/lang.js';
import { DEFAULT_TASK_QUEUE } from '../worker/worker.js';
import { drillReminderWorkflow, type ScheduledDrill } from '../workflows/scheduled.js';
import { prepareExercise, type Started } from './exercise.js';
import { CliError } from './errors.js';

export type ScheduleCreate = {
  /** a scheduled drill's scenario, or ... */
  scenario?: string;
  /** ... an unannounced exercise: its pool, window and facilitator (tokens are minted once, for every firing) */
  pool?: string[]; window?: string; facilitator?: string; participants?: string[]; seed?: number; cron?: string; every?: string; start?: string; operator: string; results: string;
  id?: string; taskQueue?: string; lang?: Lang; paused?: boolean;
  /** reminders to the facilitator before each drill, e.g. ['14d', '1d'] (with --every and --start) */
  remind?: string[]; webhook?: string;
};

/** Reminder schedules are named after their drill's: `<id>-remind-<before>`. */
const reminderIds = async (client: Client, id: string) => {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) if (s.scheduleId.startsWith(`${id}-remind-`)) ids.push(s.scheduleId);
  return ids;
};

const YEAR_MS = 365 * 86_400_000;
/** `1y` is a year of 365 days; other units as in scenarios. */
function everyMs(text: string): number {
  const years = /^(\d+)y$/.exec(text.trim());
  if (years) return Number(years[1]) * YEAR_MS;
  const ms = parseDuration(text);
  if (typeof ms !== 'number') throw new CliError(`--every ${text}: ${ms.error} (or years, e.g. 1y)`, 2);
  if (ms < 60_000) throw new CliError(`--every ${text}: a drill schedule fires at most once a minute`, 2);
  return ms;
}

/** What a schedule fires: a drill of one scenario, or an unannounced exercise from a pool. */
async function scheduledAction(o: ScheduleCreate): Promise<{ id: string; label: string; workflowType: string; args: unknown[]; exercise?: Started }> {
  if ((o.scenario === undefined) === (o.pool === undefined)) throw new CliError('give exactly one of --scenario FILE (a drill) or --pool PATHS (an unannounced exercise)', 2);
  if (o.pool) {
    if (!o.window || !o.facilitator) throw new CliError('an unannounced exercise needs --window and --facilitator', 2);
    const exercise = await prepareExercise({ pool: o.pool, window: o.window, facilitator: o.facilitator, participants: o.participants, seed: o.seed, results: o.results, webhook: o.webhook, lang: o.lang }, true);
    return { id: o.id ?? `exercise-${o.facilitator}`, label: `unannounced exercise, pool ${exercise.input.pool.join(', ')} (${exercise.files.length} now)`, workflowType: 'exerciseWorkflow', args: [exercise.input], exercise };
  }
  if (o.operator !== 'auto' && o.operator !== 'people') throw new CliError(`--operator ${o.operator}: a scheduled drill runs with auto or people`, 2);
  const file = resolve(o.scenario!);
  const v = await validateScenarioFile(file);
  if (!v.ok) throw new CliError(v.errors.map(formatError).join('\n'), 2);
  return {
    id: o.id ?? `drill-${v.scenario.name}`, label: file, workflowType: 'scheduledDrillWorkflow',
    args: [{ scenarioFile: file, operator: o.operator, results: resolve(o.results), ...(o.lang && { lang: o.lang }) } satisfies ScheduledDrill],
  };
}

export async function createSchedule(client: Client, o: ScheduleCreate): Promise<{ scheduleId: string; exercise?: Started }> {
  if (!o.cron === !o.every) throw new CliError('give exactly one of --cron EXPR or --every DURATION', 2);
  const fires = await scheduledAction(o);
  const startAt = o.start !== undefined ? new Date(o.start) : undefined;
  if (startAt && Number.isNaN(startAt.getTime())) throw new CliError(`--start ${o.start}: not a date (e.g. 2027-03-01 or 2027-03-01T09:00:00Z)`, 2);
  const scheduleId = fires.id;
  // Intervals count from the epoch: the offset puts a firing exactly at --start, and every `every` after.
  const every = o.every !== undefined ? everyMs(o.every) : undefined;
  const offsetFor = (at: number) => ((at % every!) + every!) % every!;
  const when = o.cron ? { cronExpressions: [o.cron] } : { intervals: [{ every: every!, ...(startAt && { offset: offsetFor(startAt.getTime()) }) }] };
  const reminders = (o.remind ?? []).map((before) => {
    const ms = parseDuration(before);
    if (typeof ms !== 'number') throw new CliError(`--remind ${before}: ${ms.error}`, 2);
    if (!every || !startAt) throw new CliError('--remind needs --every and --start (the reminders are counted back from each drill)', 2);
    if (ms >= every) throw new CliError(`--remind ${before}: must be shorter than the interval between drills`, 2);
    return { before, ms };
  });
  try {
    await client.schedule.create({
      scheduleId,
      spec: { ...when, ...(startAt && { startAt }) },
      action: {
        type: 'startWorkflow', workflowType: fires.workflowType, taskQueue: o.taskQueue ?? DEFAULT_TASK_QUEUE,
        workflowId: `${scheduleId}-run`, args: fires.args,
      },
      state: { paused: o.paused ?? false, note: fires.label },
    });
    for (const rm of reminders) {
      await client.schedule.create({
        scheduleId: `${scheduleId}-remind-${rm.before}`,
        spec: { intervals: [{ every: every!, offset: offsetFor(startAt!.getTime() - rm.ms) }], startAt: new Date(startAt!.getTime() - rm.ms) },
        action: {
          type: 'startWorkflow', workflowType: drillReminderWorkflow, taskQueue: o.taskQueue ?? DEFAULT_TASK_QUEUE,
          workflowId: `${scheduleId}-remind-${rm.before}-run`,
          args: [{ schedule: scheduleId, scenarioFile: fires.label, before: rm.before, ...(o.webhook && { webhook: o.webhook }) }],
        },
        state: { paused: o.paused ?? false, note: `reminder ${rm.before} before ${scheduleId}` },
      });
    }
  } catch (err) {
    throw new CliError(`schedule ${scheduleId}: ${(err as Error).message}`, (err as Error).name === 'ScheduleAlreadyRunning' ? 2 : 3);
  }
  return { scheduleId, ...(fires.exercise && { exercise: fires.exercise }) };
}

export async function listSchedules(client: Client): Promise<string> {
  const rows: string[][] = [];
  for await (const s of client.schedule.list()) {
    const d = await client.schedule.getHandle(s.scheduleId).describe();
    if (d.action.workflowType !== 'scheduledDrillWorkflow' && d.action.workflowType !== 'exerciseWorkflow') continue;
    const msOf = (before: string) => { const ms = parseDuration(before); return typeof ms === 'number' ? ms : 0; };
    const reminders = (await reminderIds(client, s.scheduleId)).map((r) => r.slice(`${s.scheduleId}-remind-`.length)).sort((a, b) => msOf(b) - msOf(a));
    const input = d.action.args?.[0] as { scenarioFile?: string; pool?: string[] } | undefined;
    const last = d.info.recentActions.at(-1);
    rows.push([s.scheduleId, d.state.paused ? 'paused' : 'active', input?.scenarioFile ?? (input?.pool ? `unannounced exercise, pool ${input.pool.join(', ')}` : '?'),
      d.info.nextActionTimes[0]?.toISOString() ?? '—', last ? `${last.takenAt.toISOString()} (${last.action.workflow.workflowId})` : '—',
      reminders.length ? reminders.join(', ') : '—']);
  }
  if (!rows.length) return 'no drill schedules';
  const head = ['schedule', 'state', 'scenario', 'next run', 'last run', 'reminders before'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** pause | resume | delete | trigger, with a clear error for a schedule that does not exist. */
export async function actOnSchedule(client: Client, id: string, what: 'pause' | 'resume' | 'delete' | 'trigger', note?: string): Promise<string> {
  const handle = client.schedule.getHandle(id);
  try {
    if (what === 'trigger') await handle.trigger();
    else {
      // A drill's reminders follow it: paused, resumed and deleted with it.
      for (const h of [handle, ...(await reminderIds(client, id)).map((r) => client.schedule.getHandle(r))]) {
        if (what === 'pause') await h.pause(note);
        else if (what === 'resume') await h.unpause(note);
        else await h.delete();
      }
    }
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new CliError(`no schedule ${id} (see drill schedule list)`, 2);
    throw err;
  }
  const done = { pause: 'paused', resume: 'resumed', delete: 'deleted', trigger: 'triggered: a drill starts now' }[what];
  return `${id}: ${done}`;
}

