// `drill run`: validate, start the drill's worker and the drill, watch it, and exit with the verdict
// once its reports are written. The worker is a process of its own (background.ts), so stopping or
// closing this terminal never orphans the drill (interrupt.ts).
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { dryRun } from '../model/plan.js';
import { engineAnswers, dockerUnreachableMessage } from '../setup/engine.js';
import { toDrillSpec, type DrillSpec } from '../model/spec.js';
import { drillIdProblem, newDrillId } from '../model/drill-id.js';
import type { DrillRecord } from '../model/record.js';
import { formatError, validateScenarioFile } from '../model/validate.js';
import { writeReports } from '../report/write.js';
import { type Lang } from '../model/lang.js';
import { drillWorkflow } from '../workflows/drill.js';
import { startBackgroundWorker, type BackgroundWorker } from './background.js';
import { CliError } from './errors.js';
import { followDrill } from './follow.js';
import type { InterruptMode } from './interrupt.js';
import { queueOf } from './options.js';
import { loadScript, type ScriptEntry } from './script.js';
import { withClient } from './temporal.js';

export type RunOptions = {
  seed?: number; operator: string; results: string; drillId?: string; taskQueue?: string; worker: boolean; quiet?: boolean; by?: string; lang?: Lang;
  /** what a Ctrl-C, a SIGTERM or a closed terminal does to the drill (default: ask at a terminal, else detach) */
  onInterrupt?: InterruptMode;
  /** --time-scale: paces an operator script */
  timeScale?: number;
};
export type RunOutcome =
  | { ended: true; exitCode: number; reportDir: string; record: DrillRecord }
  | { ended: false; exitCode: number; drillId: string };

export async function loadSpec(file: string, drillId?: string, operator: DrillSpec['operator'] = 'auto'): Promise<DrillSpec> {
  const v = await validateScenarioFile(file);
  if (!v.ok) throw new CliError(v.errors.map(formatError).join('\n'), 2);
  return toDrillSpec(v.scenario, drillId ?? newDrillId(v.scenario.name), file, operator);
}

/** --operator: auto (unattended), people (participants answer from any terminal), interactive (this terminal too), script:FILE. */
function parseOperator(mode: string): { operator: DrillSpec['operator']; scriptFile?: string; interactive?: boolean } {
  if (mode === 'auto') return { operator: 'auto' };
  if (mode === 'people') return { operator: 'people' };
  if (mode === 'interactive') return { operator: 'people', interactive: true };
  if (mode.startsWith('script:')) return { operator: 'people', scriptFile: mode.slice('script:'.length) };
  throw new CliError(`--operator ${mode}: use auto, people, interactive, or script:FILE`, 2);
}

/** `run --dry-run`: the plan with every target resolved; touches neither Docker nor Temporal. */
export async function planDrill(file: string, seed?: number): Promise<string[]> {
  const spec = await loadSpec(file, 'dry-run');
  return dryRun(spec, seed ?? spec.seed ?? randomInt(2 ** 31));
}

/** Everything checked before anything is touched: the scenario, the drill id, the script. */
async function prepare(file: string, opts: RunOptions): Promise<{ spec: DrillSpec; script?: ScriptEntry[]; interactive?: boolean }> {
  if (opts.drillId !== undefined) {
    const problem = drillIdProblem(opts.drillId);
    if (problem) throw new CliError(`--drill-id ${opts.drillId}: ${problem}`, 2);
  }
  const { operator, scriptFile, interactive } = parseOperator(opts.operator);
  const spec = await loadSpec(file, opts.drillId, operator);
  if (opts.timeScale !== undefined && scriptFile === undefined) throw new CliError('--time-scale paces an operator script: use it with --operator script:FILE', 2);
  const script = scriptFile !== undefined ? await loadScript(scriptFile, spec, opts.timeScale) : undefined;
  if (scriptFile !== undefined) spec.operatorScript = basename(scriptFile);
  if (opts.seed !== undefined) spec.seed = opts.seed;
  return { spec, ...(script && { script }), ...(interactive && { interactive }) };
}

export async function runDrill(file: string, opts: RunOptions): Promise<RunOutcome> {
  const { spec, script, interactive } = await prepare(file, opts);
  if (!(await engineAnswers())) throw new CliError(dockerUnreachableMessage(), 3);
  const say = (s: string) => console.error(s);
  // A worker of this run's own polls a queue of its own, unless a shared one is asked for.
  const taskQueue = queueOf(opts.taskQueue, opts.worker, `drill-${spec.drillId}`);
  // A run tells (on stderr) how Temporal is found or started; commands that only message a drill keep quiet.
  return withClient(async (client, address) => {
    const start = async () => {
      try {
        await client.workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new CliError(`--drill-id ${spec.drillId}: a drill with this id exists already on ${address}`, 2);
        throw err;
      }
    };
    let worker: BackgroundWorker | null = null;
    if (opts.worker) worker = await startBackgroundWorker({ address, taskQueue, drillId: spec.drillId, results: opts.results, ...(opts.lang && { lang: opts.lang }), ...(script && { script }) }, say, start);
    else await start();
    if (!opts.quiet) say(`drill ${spec.drillId} started on ${address} (task queue ${taskQueue}${worker ? `; its worker: pid ${worker.pid}, log ${worker.log}` : ''})`);
    const handle = client.workflow.getHandle(spec.drillId);
    const followed = await followDrill(handle, {
      quiet: opts.quiet ?? false, onInterrupt: opts.onInterrupt ?? 'ask',
      ...(interactive && { by: opts.by }), interactive: interactive ?? false,
      // Without a worker of its own, the terminal plays the script itself.
      ...(!worker && script && { script }),
      afterDetach: worker
        ? `drill ${spec.drillId} goes on without this terminal: its worker (pid ${worker.pid}, log ${worker.log}) carries it out and writes its reports to ${opts.results}/${spec.drillId} when it ends.\n  follow it: drill status ${spec.drillId}    stop it: drill abort ${spec.drillId}`
        : `drill ${spec.drillId} goes on with the workers of task queue ${taskQueue}${script ? ' (this terminal played its script: answer its steps with drill step / drill decide)' : ''}.\n  follow it: drill status ${spec.drillId}    stop it: drill abort ${spec.drillId}    once it has ended, write its reports: drill report ${spec.drillId} --results ${opts.results}`,
    });
    if (!followed.ended) {
      worker?.release();
      return { ended: false, exitCode: followed.exitCode, drillId: spec.drillId };
    }
    const { record } = followed;
    const written = worker ? await worker.reports : null;
    worker?.release();
    // The worker writes the reports; if it went before it could, they are written here.
    const out = written ?? await writeReports(record, opts.results, opts.lang);
    return { ended: true, exitCode: out.exitCode, reportDir: out.dir, record };
  }, say);
}
