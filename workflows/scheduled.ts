// A drill fired by a Temporal Schedule: the scenario is read when it fires (so an accepted revision
// is what runs), the drill runs as a child workflow, and its reports are written where the schedule
// says. Nothing here depends on a process that was up when the schedule was created.
import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { DrillSpec } from '../model/spec.js';
import { type Lang } from '../model/lang.js';
import { files, notifier } from './activities.js';
import { drillWorkflow } from './drill.js';

export type ScheduledDrill = { scenarioFile: string; operator: DrillSpec['operator']; results: string; lang?: Lang };

export async function scheduledDrillWorkflow(input: ScheduledDrill): Promise<{ drillId: string; status: string; reportDir: string }> {
  const spec = await files.loadScenario({ file: input.scenarioFile, operator: input.operator, firedAt: workflowInfo().startTime.getTime() });
  const record = await executeChild(drillWorkflow, { workflowId: spec.drillId, args: [spec] });
  const written = await files.writeDrillReports({ record, results: input.results, ...(input.lang && { lang: input.lang }) });
  return { drillId: spec.drillId, status: written.status, reportDir: written.dir };
}

export type DrillReminder = { schedule: string; scenarioFile: string; before: string; webhook?: string };

/** A reminder to the facilitator, fired by its own schedule a set time before each scheduled drill. */
export async function drillReminderWorkflow(input: DrillReminder): Promise<void> {
  await notifier.notify({
    drillId: input.schedule, subject: 'drill reminder',
    message: `the scheduled drill ${input.schedule} (${input.scenarioFile}) runs in ${input.before}`,
    ...(input.webhook !== undefined && { webhook: input.webhook }),
  });
}
