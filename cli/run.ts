// `drill run`: validate, start the drill workflow, show progress, write the reports, exit with the verdict.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { engineAnswers, dockerUnreachableMessage } from '../docker/engine.js';
import { toDrillSpec, type DrillSpec } from '../model/spec.js';
import type { DrillRecord } from '../model/record.js';
import { formatError, validateScenarioFile } from '../model/validate.js';
import { writeReports } from '../report/write.js';
import { exitCodeOf } from '../report/build.js';
import { createDrillWorker, DEFAULT_TASK_QUEUE, NAMESPACE } from '../worker/worker.js';
import { ensureTemporal } from '../worker/temporal-server.js';
import { drillWorkflow } from '../workflows/drill.js';
import { statusQuery } from '../workflows/messages.js';
import { progressReporter } from './progress.js';

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) { super(message); }
}

export function newDrillId(scenario: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${scenario}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export type RunOptions = { operator: string; results: string; drillId?: string; taskQueue?: string; worker: boolean; quiet?: boolean };

export async function loadSpec(file: string, drillId?: string): Promise<DrillSpec> {
  const v = await validateScenarioFile(file);
  if (!v.ok) throw new CliError(v.errors.map(formatError).join('\n'), 2);
  return toDrillSpec(v.scenario, drillId ?? newDrillId(v.scenario.name), file);
}

export async function connectClient(log: (s: string) => void): Promise<{ client: Client; connection: Connection; address: string }> {
  let address: string;
  try {
    address = await ensureTemporal(log);
  } catch (err) {
    throw new CliError((err as Error).message, 3);
  }
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace: NAMESPACE }), connection, address };
}

export async function runDrill(file: string, opts: RunOptions): Promise<{ exitCode: number; reportDir: string; record: DrillRecord }> {
  if (opts.operator !== 'auto') throw new CliError(`--operator ${opts.operator}: only "auto" is available in this version`, 2);
  const spec = await loadSpec(file, opts.drillId);
  if (!(await engineAnswers())) throw new CliError(dockerUnreachableMessage(), 3);
  const log = (s: string) => console.error(s);
  const { client, connection, address } = await connectClient(log);
  const taskQueue = opts.taskQueue ?? process.env.DRILL_TASK_QUEUE ?? DEFAULT_TASK_QUEUE;
  try {
    const handle = await client.workflow.start(drillWorkflow, { taskQueue, workflowId: spec.drillId, args: [spec] });
    if (!opts.quiet) console.error(`drill ${spec.drillId} started on ${address} (task queue ${taskQueue})`);
    const progress = opts.quiet ? null : progressReporter();
    const poll = setInterval(() => {
      handle.query(statusQuery).then((v) => progress?.update(v), () => undefined);
    }, 500);
    const result = async () => {
      try {
        return await handle.result();
      } finally {
        clearInterval(poll);
        if (progress) await handle.query(statusQuery).then((v) => progress.update(v), () => undefined);
        progress?.done();
      }
    };
    let record: DrillRecord;
    if (opts.worker) {
      const { worker, connection: workerConnection } = await createDrillWorker(address, taskQueue);
      try {
        record = await worker.runUntil(result());
      } finally {
        await workerConnection.close();
      }
    } else record = await result();
    const { dir, report } = await writeReports(record, opts.results);
    return { exitCode: exitCodeOf(report), reportDir: dir, record };
  } finally {
    await connection.close();
  }
}
