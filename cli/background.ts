// The drill's own worker as a process apart from the terminal: `drill run` starts it in a session of
// its own (drill-worker.ts), so Ctrl-C or a closed terminal never reaches it, and a drill never
// depends on one terminal staying open. The terminal only watches; while it does, the worker sends it
// the script's lines and, at the end, where it wrote the reports.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lang } from '../model/lang.js';
import { stateDir } from '../setup/paths.js';
import { CliError } from './errors.js';
import type { ScriptEntry } from './script.js';

export type BackgroundJob = {
  address: string; taskQueue: string; drillId: string;
  /** where the reports go when the drill ends */
  results: string; lang?: Lang;
  /** the operator script, played by the worker so that it too outlives the terminal */
  script?: ScriptEntry[];
  /** the drill is running already: a replacement worker starts at once */
  started?: boolean;
};
export type ToWorker = { type: 'job'; job: BackgroundJob } | { type: 'started' } | { type: 'cancel' };
export type ToTerminal = { type: 'ready' } | { type: 'log'; line: string } | { type: 'ended' } | { type: 'reports'; dir: string; exitCode: number };

export type BackgroundWorker = {
  readonly pid: number;
  readonly log: string;
  /** where the worker wrote the reports once the drill ended; null if it exited without writing them */
  reports: Promise<{ dir: string; exitCode: number } | null>;
  /** lets this process exit while the worker goes on */
  release(): void;
};

const ENTRY = fileURLToPath(new URL('./drill-worker.js', import.meta.url));
/** Bundling the workflows takes a few seconds; a worker that is not up by then will not come up. */
const READY_WITHIN_MS = 120_000;
/** A worker that dies while its drill runs is replaced, a few times at most. */
const REPLACEMENTS = 3;

const workerLogOf = (drillId: string) => {
  const dir = join(stateDir(), 'workers');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${drillId}.log`);
};

function spawnWorker(job: BackgroundJob, log: string): ChildProcess {
  const out = openSync(log, 'a');
  // detached: a session of its own, out of reach of the terminal's Ctrl-C and hang-up.
  const child = fork(ENTRY, [], { detached: true, stdio: ['ignore', out, out, 'ipc'], execArgv: [] });
  child.unref();
  child.send({ type: 'job', job } satisfies ToWorker);
  return child;
}

const tail = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '');

/** Waits for the worker to poll, or says why it did not come up. */
function ready(child: ChildProcess, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const fail = (why: string) => {
      done();
      child.kill();
      reject(new CliError(`could not start the drill's worker: ${why} (log ${log})\n${tail(log)}`, 3));
    };
    const onMessage = (m: ToTerminal) => { if (m.type === 'ready') { done(); resolve(); } };
    const onExit = (code: number | null, signal: string | null) => fail(`it exited (${signal ?? code})`);
    const timer = setTimeout(() => fail(`it did not come up within ${READY_WITHIN_MS / 1000}s`), READY_WITHIN_MS);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Starts the drill's worker, then the drill (`start`) once it polls. `say` prints on the terminal
 * what the worker has to say (the script's lines, a replacement).
 */
export async function startBackgroundWorker(job: BackgroundJob, say: (line: string) => void, start: () => Promise<void>): Promise<BackgroundWorker> {
  const log = workerLogOf(job.drillId);
  let child = spawnWorker(job, log);
  await ready(child, log);
  try {
    await start();
  } catch (err) {
    if (child.connected) child.send({ type: 'cancel' } satisfies ToWorker);
    throw err;
  }
  child.send({ type: 'started' } satisfies ToWorker);

  let ended = false;
  let released = false;
  let replaced = 0;
  let settle!: (r: { dir: string; exitCode: number } | null) => void;
  const reports = new Promise<{ dir: string; exitCode: number } | null>((r) => { settle = r; });
  const watch = (c: ChildProcess) => {
    c.on('message', (m: ToTerminal) => {
      if (m.type === 'log') say(m.line);
      else if (m.type === 'ended') ended = true;
      else if (m.type === 'reports') settle({ dir: m.dir, exitCode: m.exitCode });
    });
    c.on('exit', (code, signal) => {
      if (ended || released) return settle(null);
      if (replaced >= REPLACEMENTS) {
        say(`the drill's worker exited (${signal ?? code}) ${replaced + 1} times; carry the drill on with \`drill worker --task-queue ${job.taskQueue}\` (log ${log})`);
        return settle(null);
      }
      replaced++;
      say(`the drill's worker exited (${signal ?? code}) while the drill runs; starting another (log ${log})`);
      child = spawnWorker({ ...job, started: true }, log);
      watch(child);
    });
  };
  watch(child);
  return {
    get pid() { return child.pid ?? -1; },
    log,
    reports,
    release() {
      released = true;
      if (child.connected) child.disconnect();
    },
  };
}
