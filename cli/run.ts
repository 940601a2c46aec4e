// `drill run`: validate, start the drill workflow, show progress, write the reports, exit with the verdict.
import { randomInt } from 'node:crypto';
import { dryRun } from '../model/plan.js';
import { engineAnswers, dockerUnreachableMessage } from '../setup/engine.js';
import { toDrillSpec, type DrillSpec } from '../model/spec.js';
import { newDrillId } from '../model/drill-id.js';
import type { DrillRecord } from '../model/record.js';
import { formatError, validateScenarioFile } from '../model/validate.js';
import { writeReports } from '../report/write.js';
import { type Lang } from '../model/lang.js';
import { exitCodeOf } from '../report/build.js';
import { drillWorkflow } from '../workflows/drill.js';
import { abortSignal, statusQuery } from '../workflows/messages.js';
import { progressReporter } from './progress.js';
import { CliError } from './errors.js';
import { loadScript, runScript, type ScriptEntry } from './operator.js';
import { interactiveOperator } from './interactive.js';
import { defaultParticipant } from './options.js';
import { statusPoller } from './queries.js';
import { defaultTaskQueue, withClient, withWorker } from './temporal.js';

export type RunOptions = { seed?: number; operator: string; results: string; drillId?: string; taskQueue?: string; worker: boolean; quiet?: boolean; by?: string; lang?: Lang };

export async function loadSpec(file: string, drillId?: string, operator: DrillSpec['operator'] = 'auto'): Promise<DrillSpec> {
  const v = await validateScenarioFile(file);
  if (!v.ok) throw new CliError(v.errors.map(formatError).join('\n'), 2);
  return toDrillSpec(v.scenario, drillId ?? newDrillId(v.scenario.name), file, operator);
}

/** --operator: auto (unattended), people (participants answer from any terminal), interactive (this terminal too), script:FILE. */
async function parseOperator(mode: string): Promise<{ operator: DrillSpec['operator']; script?: ScriptEntry[]; interactive?: boolean }> {
  if (mode === 'auto') return { operator: 'auto' };
  if (mode === 'people') return { operator: 'people' };
  if (mode === 'interactive') return { operator: 'people', interactive: true };
  if (mode.startsWith('script:')) return { operator: 'people', script: await loadScript(mode.slice('script:'.length)) };
  throw new CliError(`--operator ${mode}: use auto, people, interactive, or script:FILE`, 2);
}

/** `run --dry-run`: the plan with every target resolved; touches neither Docker nor Temporal. */
export async function planDrill(file: string, seed?: number): Promise<string[]> {
  const spec = await loadSpec(file, 'dry-run');
  return dryRun(spec, seed ?? spec.seed ?? randomInt(2 ** 31));
}

export async function runDrill(file: string, opts: RunOptions): Promise<{ exitCode: number; reportDir: string; record: DrillRecord }> {
  const { operator, script, interactive } = await parseOperator(opts.operator);
  const spec = await loadSpec(file, opts.drillId, operator);
  if (opts.seed !== undefined) spec.seed = opts.seed;
  if (!(await engineAnswers())) throw new CliError(dockerUnreachableMessage(), 3);
  const taskQueue = opts.taskQueue ?? defaultTaskQueue();
  // A run tells (on stderr) how Temporal is found or started; commands that only message a drill keep quiet.
  return withClient(async (client, address) => {
    const handle = await client.workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] });
    if (!opts.quiet) console.error(`drill ${spec.drillId} started on ${address} (task queue ${taskQueue})`);
    let finished = false;
    // At an interactive terminal the prompt owns the screen: progress prints a line per change above it.
    const participant = interactive ? interactiveOperator(handle, opts.by ?? defaultParticipant(), () => finished) : null;
    const progress = opts.quiet ? null : participant ? progressReporter({ isTTY: false, write: (s: string) => { participant.console.print(s.replace(/\n$/, '')); } }) : progressReporter();
    const status = statusPoller(handle);
    const poll = setInterval(() => status.poll((v) => progress?.update(v)), 500);
    const scripted = script ? runScript(client, spec.drillId, script, (s) => console.error(s), () => finished) : Promise.resolve();
    scripted.catch(async (err: Error) => {
      console.error(err.message);
      await handle.signal(abortSignal, `operator script: ${err.message}`).catch(() => undefined);
    });
    const result = async () => {
      try {
        return await handle.result();
      } finally {
        // However the drill ended, the operators stop and their queries settle before the connection closes.
        finished = true;
        participant?.console.close();
        await Promise.all([scripted.catch(() => undefined), participant?.finished.catch(() => undefined)]);
        clearInterval(poll);
        await status.settled();
        if (progress) await handle.query(statusQuery).then((v) => progress.update(v), () => undefined);
        progress?.done();
      }
    };
    const record: DrillRecord = await withWorker(address, taskQueue, opts.worker, result);
    const { dir, report } = await writeReports(record, opts.results, opts.lang);
    return { exitCode: exitCodeOf(report), reportDir: dir, record };
  }, (s) => console.error(s));
}
