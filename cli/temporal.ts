// How the CLI reaches Temporal. Every command that talks to a drill goes through withClient, so no
// connection outlives its command; a command that carries out workflows itself adds withWorker.
import { Client, Connection } from '@temporalio/client';
import { ensureTemporal } from '../setup/temporal-server.js';
import { createDrillWorker, DEFAULT_TASK_QUEUE, NAMESPACE } from '../worker/worker.js';
import { CliError } from './errors.js';

/** The task queue when none is given; DRILL_TASK_QUEUE sets it for every command at once. */
export const defaultTaskQueue = () => process.env.DRILL_TASK_QUEUE || DEFAULT_TASK_QUEUE;

/** `log` hears how Temporal is found or started; most commands keep that quiet, `drill run` shows it. */
export async function withClient<T>(use: (client: Client, address: string) => Promise<T>, log: (s: string) => void = () => undefined): Promise<T> {
  let address: string;
  try {
    address = await ensureTemporal(log);
  } catch (err) {
    throw new CliError((err as Error).message, 3);
  }
  const connection = await Connection.connect({ address });
  try {
    return await use(new Client({ connection, namespace: NAMESPACE }), address);
  } finally {
    await connection.close();
  }
}

/**
 * Waits for `work`, with a drill worker polling `taskQueue` in this process meanwhile unless the
 * workers run elsewhere (`--no-worker`). `work` is called once the worker is up.
 */
export async function withWorker<T>(address: string, taskQueue: string, inProcess: boolean, work: () => Promise<T>): Promise<T> {
  if (!inProcess) return work();
  const { worker, connection } = await createDrillWorker(address, taskQueue);
  try {
    return await worker.runUntil(work());
  } finally {
    await connection.close();
  }
}
