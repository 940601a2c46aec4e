// A drill by its id, running or ended. A running drill answers its status query (a worker replays it);
// an ended one is read from what it returned, its record, so `drill status` and `drill report` need
// no worker once the drill is over.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { drillIdProblem } from '../model/drill-id.js';
import { formatDuration } from '../model/duration.js';
import { UNHEALABLE } from '../model/fault.js';
import type { Lang } from '../model/lang.js';
import type { DrillRecord } from '../model/record.js';
import { writeReports } from '../report/write.js';
import { statusQuery, type DrillView } from '../workflows/messages.js';
import { CliError } from './errors.js';
import { renderView } from './progress.js';

/** What an ended drill's status shows, from its record: the same view a running drill answers. */
export function recordView(record: DrillRecord): DrillView {
  const { spec } = record;
  return {
    drillId: record.drillId, scenario: spec.scenario, status: record.status, phase: 'done', startedAt: record.startedAt, t0: record.t0,
    steps: record.steps, waiting: null, breakdowns: record.breakdowns.length,
    objectives: spec.objectives.map(({ system, rtoMs, rpoMs }) => ({ system, rtoMs, rpoMs })),
    lastEvents: record.timeline.slice(-10),
    activeFaults: (record.faults ?? []).filter((f) => f.healedAt === undefined && !UNHEALABLE.has(f.type))
      .map((f) => ({ step: f.step, type: f.type, target: f.target, since: f.effectAt ?? null, ...(f.healError !== undefined && { healError: f.healError }) })),
  };
}

type DrillState =
  | { running: true; taskQueue: string }
  | { running: false; status: string; record: DrillRecord | null };

async function stateOf(client: Client, id: string): Promise<DrillState> {
  const handle = client.workflow.getHandle(id);
  let described;
  try {
    described = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no drill ${id} on this Temporal server`, 2);
    throw err;
  }
  const status = described.status.name;
  if (status === 'RUNNING') return { running: true, taskQueue: described.taskQueue };
  // A drill returns its record however it ends (aborted and failed included); only one terminated or
  // timed out before it could has none.
  const record = status === 'COMPLETED' ? (await handle.result()) as DrillRecord : null;
  if (record?.spec.exercise) throw new CliError(`${id} is an exercise's drill: the exercise wrote its reports (with the reveal, for the facilitator); see drill exercise status ID --token T`, 2);
  return { running: false, status, record };
}

/** `drill status ID`: a running drill's live state, or an ended drill's from its record. */
export async function drillStatus(client: Client, id: string): Promise<string> {
  const state = await stateOf(client, id);
  if (state.running) {
    const view = await client.workflow.getHandle(id).query(statusQuery).catch((err: Error) => {
      if (/exercise/.test(err.message)) throw new CliError(`${id}: ${err.message}`, 2);
      throw new CliError(`drill ${id} is running, but no worker answers on task queue ${state.taskQueue}: start one (drill worker --task-queue ${state.taskQueue})`, 3);
    });
    return renderView(view, Date.now());
  }
  const { record, status } = state;
  if (!record) return `drill ${id}: ${status.toLowerCase()} before it could return its record; heal what it may have left in place with drill heal ${id}`;
  const view = recordView(record);
  const lines = [renderView(view, record.endedAt ?? Date.now())];
  lines.push(`  ended ${new Date(record.endedAt ?? record.startedAt).toISOString()} after ${formatDuration((record.endedAt ?? record.startedAt) - record.startedAt)}${record.failure ? `: ${record.failure}` : ''}`);
  for (const f of view.activeFaults ?? []) lines.push(`  NOT healed: ${f.type} on ${f.target} (step ${f.step})${f.healError ? `: ${f.healError}` : ''}; heal it with drill heal ${id}`);
  lines.push(`  its reports: drill report ${id}`);
  return lines.join('\n');
}

/** `drill report ID`: the reports of an ended drill, written from its record; the exit code is `drill run`'s. */
export async function drillReport(client: Client, id: string, results: string, lang?: Lang): Promise<{ dir: string; exitCode: number }> {
  const problem = drillIdProblem(id);
  if (problem) throw new CliError(`${id}: not a drill id: ${problem}`, 2);
  const state = await stateOf(client, id);
  if (state.running) throw new CliError(`drill ${id} is still running: its reports are written when it ends (follow it: drill status ${id})`, 2);
  if (!state.record) throw new CliError(`drill ${id} was ${state.status.toLowerCase()} before it could return its record: there is nothing to report; heal what it may have left in place with drill heal ${id}`, 3);
  // The directory is named after the record's id: that one must be a drill id too.
  const named = drillIdProblem(state.record.drillId);
  if (named) throw new CliError(`drill ${id} records the id ${state.record.drillId}, which cannot name a report directory: ${named}`, 2);
  const { dir, exitCode } = await writeReports(state.record, results, lang);
  return { dir, exitCode };
}
