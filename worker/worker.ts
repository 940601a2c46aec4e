// Worker bootstrap: one process hosts the drill workflows and every activity.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, Runtime, DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';

export const DEFAULT_TASK_QUEUE = 'drill';
export const NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';

/** The workflow source for the bundler: compiled JS when running from dist/, TypeScript under tests. */
export function workflowsPath(): string {
  const js = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}

let runtimeInstalled = false;
/**
 * Quiet the SDK's own logging unless asked: the CLI's progress display owns the terminal.
 * `shutdownSignals`: the signals that stop this process's workers (the SDK's default set when not
 * given); a process that decides itself what a signal means passes [].
 */
export function installRuntime(opts: { shutdownSignals?: NodeJS.Signals[] } = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.DRILL_LOG_LEVEL ?? 'WARN') as 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level), telemetryOptions: { logging: { forward: {}, filter: `${level}` } },
    ...(opts.shutdownSignals && { shutdownSignals: opts.shutdownSignals }),
  });
}

export async function createDrillWorker(address: string, taskQueue = DEFAULT_TASK_QUEUE): Promise<{ worker: Worker; connection: NativeConnection }> {
  installRuntime();
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection, namespace: NAMESPACE, taskQueue,
    workflowsPath: workflowsPath(),
    activities: createActivities(),
    // Drills wait on people and probes for long stretches: keep capacity for many concurrent activities.
    maxConcurrentActivityTaskExecutions: 200,
  });
  return { worker, connection };
}
