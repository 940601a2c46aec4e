// Commands run in the drill's containers through the engine's exec: a step's command at most once
// (activities/once.ts), and short read-only ones whose output is all that is wanted.
import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { heartbeat, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import { isNotFound } from './containers.js';
import { RUN_LABEL } from './names.js';
import { redact } from './redact.js';
import { drillSecrets, secretValues } from './secrets.js';
import { markerPath, onceArgv, OUTPUT_LIMIT } from './once.js';

/** What an action observed: the instant of its effect and, for a command, its output and exit code. */
export type ExecResult = {
  effectAt: number;
  output?: string;
  exitCode?: number;
  note?: string;
  /** the container went down under the command (what a destructive fault intends) */
  targetStopped?: boolean;
};

/**
 * Runs a command inside the container at most once for `key`. The marker lives in the container,
 * not in the worker, so a worker killed mid-exec and its successor agree on what already ran.
 */
export async function execOnce(docker: Docker, container: Docker.Container, state: { Running: boolean; FinishedAt: string }, key: string, command: string[]): Promise<ExecResult> {
  const marker = markerPath(key);
  if (!state.Running) {
    if (await markerExists(container, marker)) return { effectAt: Date.parse(state.FinishedAt), targetStopped: true, note: 'already ran (container has since stopped)' };
    throw ApplicationFailure.nonRetryable('container is not running', ErrorType.NotRunning);
  }
  const { exec, stream, output } = await startExec(docker, container, onceArgv(marker, command));
  const beat = setInterval(() => heartbeat(), 1000);
  const cancelled = Context.current().cancellationSignal;
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
      cancelled.addEventListener('abort', () => reject(new Error('cancelled')));
    });
  } finally {
    clearInterval(beat);
  }
  const { ExitCode } = await exec.inspect();
  const effectAt = Date.now();
  // A command that takes its own container down is cut off mid-way; give the engine a moment to
  // report the container stopped before judging the exit code.
  let after = await container.inspect();
  for (let i = 0; ExitCode !== 0 && after.State.Running && i < 20; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await container.inspect();
  }
  // What a command prints enters the timeline and the reports: never a private key or a secret of the
  // drill's containers (this one's own env too, whatever its labels say).
  const drillId = after.Config.Labels?.[RUN_LABEL];
  const secrets = [...secretValues(after.Config.Env ?? []), ...(drillId ? await drillSecrets(docker, drillId) : [])];
  const shown = redact(output(), secrets).slice(0, OUTPUT_LIMIT);
  if (!after.State.Running) {
    // The effect is the container going down: the engine's own record of that instant is t0.
    return { effectAt: Date.parse(after.State.FinishedAt), output: shown, exitCode: ExitCode ?? -1, targetStopped: true, note: 'the container stopped during the command' };
  }
  return { effectAt, output: shown, exitCode: ExitCode ?? -1 };
}

/** A short read-only command (no marker: it changes nothing), its exit code and output. */
export async function execCapture(docker: Docker, container: Docker.Container, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const { exec, stream, output } = await startExec(docker, container, cmd);
  await new Promise<void>((resolve, reject) => { stream.on('end', resolve); stream.on('close', resolve); stream.on('error', reject); });
  return { exitCode: (await exec.inspect()).ExitCode ?? -1, output: output() };
}

/** A command started in the container, its stdout and stderr read together, up to OUTPUT_LIMIT. */
async function startExec(docker: Docker, container: Docker.Container, cmd: string[]) {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  let output = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => { if (output.length < OUTPUT_LIMIT) output += chunk.toString('utf8'); });
  docker.modem.demuxStream(stream, sink, sink);
  return { exec, stream, output: () => output };
}

async function markerExists(container: Docker.Container, marker: string): Promise<boolean> {
  try {
    const archive = await container.getArchive({ path: marker });
    archive.resume();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
