// A real worker in a child process, to be SIGKILLed, and the Docker engine's event stream, to kill it
// at the exact moment something of the drill is created: what an orchestrator crash really looks like.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { watchDrill as watchEngine, type EngineEvent } from '../../bench/engine-events.js';
import { docker, temporalAddress } from './harness.js';

export const WORKER = 'dist/worker/main.js';

export function startWorker(taskQueue: string, started: ChildProcess[]): ChildProcess {
  if (!existsSync(WORKER)) throw new Error('run `npm run build` first');
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), DRILL_TASK_QUEUE: taskQueue }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  started.push(child);
  return child;
}

/** The worker's end, whether it already came or not. */
export const exited = (worker: ChildProcess): Promise<void> =>
  (worker.exitCode !== null || worker.signalCode !== null ? Promise.resolve() : new Promise((r) => worker.once('exit', () => r())));

export async function killNow(worker: ChildProcess): Promise<void> {
  const end = exited(worker);
  worker.kill('SIGKILL');
  await end;
}

export type { EngineEvent } from '../../bench/engine-events.js';

/** The engine's events on the drill's resources (bench/engine-events.ts), on the tests' engine. */
export const watchDrill = (drillId: string, onEvent: (e: EngineEvent) => void) => watchEngine(docker, drillId, onEvent);
