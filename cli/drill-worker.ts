// The worker of one drill, in a session of its own (started by background.ts for `drill run`): it
// carries the drill out, plays its operator script if it has one, writes its reports when it ends,
// and exits. Nothing the terminal does reaches it: while the terminal watches, the two talk over IPC;
// once it is gone, this process goes on by itself and its lines go to its log only.
import { Client, Connection } from '@temporalio/client';
import type { DrillRecord } from '../model/record.js';
import { writeReports } from '../report/write.js';
import { createDrillWorker, installRuntime, NAMESPACE } from '../worker/worker.js';
import { abortSignal } from '../workflows/messages.js';
import type { BackgroundJob, ToTerminal, ToWorker } from './background.js';
import { signalExitCode } from './interrupt.js';
import { runScript } from './script.js';

const log = (s: string) => console.error(`${new Date().toISOString()} ${s}`);
/** Resolves once the message is on its way (before this process exits), or at once with no terminal. */
const tell = (m: ToTerminal) => new Promise<void>((resolve) => {
  if (!process.connected) return resolve();
  process.send!(m, undefined, {}, () => resolve());
});

/** The terminal's next word, or 'gone' once it has disconnected. */
function next(): Promise<ToWorker | 'gone'> {
  return new Promise((resolve) => {
    const settle = (v: ToWorker | 'gone') => {
      process.off('message', onMessage);
      process.off('disconnect', onGone);
      resolve(v);
    };
    const onMessage = (m: ToWorker) => settle(m);
    const onGone = () => settle('gone');
    process.on('message', onMessage);
    process.on('disconnect', onGone);
    if (!process.connected) onGone();
  });
}

/** Whether the drill was started: the terminal says so, or, if it went before saying, Temporal does. */
async function started(client: Client, job: BackgroundJob): Promise<boolean> {
  if (job.started) return true;
  await tell({ type: 'ready' });
  const word = await next();
  if (word !== 'gone') return word.type === 'started';
  return client.workflow.getHandle(job.drillId).describe().then(() => true, () => false);
}

/** Carries the drill out; its record, or null when it ended without one (terminated, timed out). */
async function carryOut(client: Client, job: BackgroundJob, worker: Awaited<ReturnType<typeof createDrillWorker>>['worker']): Promise<DrillRecord | null> {
  const handle = client.workflow.getHandle(job.drillId);
  let ended = false;
  const scripted = job.script?.length
    ? runScript(handle, job.script, (line) => { log(line); void tell({ type: 'log', line }); }, () => ended).catch(async (err: Error) => {
      log(err.message);
      await tell({ type: 'log', line: err.message });
      await handle.signal(abortSignal, `operator script: ${err.message}`).catch(() => undefined);
    })
    : Promise.resolve();
  try {
    return await worker.runUntil(handle.result().finally(() => { ended = true; })) as DrillRecord;
  } catch (err) {
    log(`drill ${job.drillId} ended without its record: ${(err as Error).message}`);
    return null;
  } finally {
    ended = true;
    await scripted;
  }
}

async function main(): Promise<number> {
  const first = await next();
  if (first === 'gone' || first.type !== 'job') return 0;
  const { job } = first;
  // This process decides what a signal means: the SDK's own handlers would stop the worker silently.
  installRuntime({ shutdownSignals: [] });
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    process.on(s, () => {
      log(`stopped by ${s}: drill ${job.drillId} has no worker now; carry it on with \`drill worker --task-queue ${job.taskQueue}\` or stop it with \`drill abort ${job.drillId}\``);
      process.exit(signalExitCode(s));
    });
  }
  log(`drill ${job.drillId}: worker on task queue ${job.taskQueue} at ${job.address} (pid ${process.pid})`);
  const { worker, connection: workerConnection } = await createDrillWorker(job.address, job.taskQueue);
  const connection = await Connection.connect({ address: job.address });
  try {
    const client = new Client({ connection, namespace: NAMESPACE });
    if (!(await started(client, job))) {
      log(`drill ${job.drillId} was not started; nothing to do`);
      return 0;
    }
    process.on('disconnect', () => log('the terminal that started the drill is gone; the drill goes on here'));
    const record = await carryOut(client, job, worker);
    await tell({ type: 'ended' });
    if (!record) return 3;
    const { dir, exitCode } = await writeReports(record, job.results, job.lang);
    log(`drill ${job.drillId} ${record.status}; reports written to ${dir}`);
    await tell({ type: 'reports', dir, exitCode });
    return 0;
  } finally {
    await connection.close();
    await workerConnection.close();
  }
}

main().then((code) => process.exit(code), (err: Error) => {
  log(`the drill's worker failed: ${err.stack ?? err.message}`);
  process.exit(3);
});
