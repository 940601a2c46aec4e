// Runbook commands on SSH hosts (ssh2): the ops bastions of the drill's topology, or hosts the scenario
// lists. Key authentication only, the host key pinned; output is redacted before it leaves here.
// A command runs at most once per drill step (activities/once.ts), so a retried attempt after a worker
// crash waits for the first one's result instead of running the runbook script twice.
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { heartbeat, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import { Client, type ClientChannel } from 'ssh2';
import { drillKey, fingerprint, matchesPin } from './keys.js';
import { redact } from './redact.js';
import { publishHost } from './names.js';
import { killArgv, markerPath, onceArgv, OUTPUT_LIMIT, shellLine } from './once.js';
import { drillSecrets } from './secrets.js';

/**
 * Where and as whom: a listed host by its address and `identityFile`; a bastion of the topology (no
 * address) through its port published on the worker's side, with the drill's own key.
 */
export type SshTarget = { name: string; address?: string; port: number; user: string; hostKey: string; identityFile?: string };

export type SshResult = { exitCode: number; stdout: string; stderr: string; startedAt: number; endedAt: number };

type Session = { client: Client; run(cmd: string): Promise<{ code: number; stdout: string; stderr: string }> };

/** The host key algorithms to ask for: the pinned key's own, so a server that has several presents that one. */
function hostKeyAlgorithms(pin: string): string[] | undefined {
  const type = pin.trim().split(/\s+/)[0]!;
  if (type.startsWith('SHA256:')) return undefined;
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

async function connect(target: SshTarget, privateKey: string): Promise<Session> {
  const t = { ...target, address: target.address ?? publishHost() };
  const client = new Client();
  let presented: Buffer | undefined;
  // Errors after the connection is up end whatever command is running on it (never an unhandled event).
  let failRunning: ((err: Error) => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    let ready = false;
    client.once('ready', () => { ready = true; resolve(); });
    client.on('error', (err: Error & { level?: string }) => {
      if (ready) { failRunning?.(new Error(`${t.name}: connection lost: ${err.message}`)); return; }
      if (presented && !matchesPin(presented, t.hostKey)) {
        reject(ApplicationFailure.nonRetryable(
          `${t.name} (${t.address}:${t.port}) presented host key ${fingerprint(presented)}, not the pinned ${t.hostKey.startsWith('SHA256:') ? t.hostKey : fingerprint(t.hostKey)}; refusing to connect`,
          ErrorType.HostKeyMismatch));
      } else if (err.level === 'client-authentication') {
        reject(ApplicationFailure.nonRetryable(`${t.name}: the key was refused for user ${t.user} (key authentication only)`, ErrorType.AuthFailed));
      } else reject(new Error(`${t.name} (${t.address}:${t.port}): ${err.message}`));
    });
    const algorithms = hostKeyAlgorithms(t.hostKey);
    client.connect({
      host: t.address, port: t.port, username: t.user, privateKey,
      readyTimeout: 10_000,
      ...(algorithms && { algorithms: { serverHostKey: algorithms } }),
      // Only the pinned key is accepted; no password or keyboard-interactive method is ever offered.
      hostVerifier: (key: Buffer) => { presented = key; return matchesPin(key, t.hostKey); },
      authHandler: ['publickey'],
    } as Parameters<Client['connect']>[0]);
  });
  return {
    client,
    run: (cmd) => new Promise((resolve, reject) => {
      failRunning = reject;
      client.exec(cmd, (err: Error | undefined, channel: ClientChannel) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        let exited = false;
        channel.on('data', (d: Buffer) => { if (stdout.length < OUTPUT_LIMIT) stdout += d.toString('utf8'); });
        channel.stderr.on('data', (d: Buffer) => { if (stderr.length < OUTPUT_LIMIT) stderr += d.toString('utf8'); });
        channel.on('exit', () => { exited = true; });
        channel.on('close', (code: number | null) => {
          // A channel closed with no exit status is a dropped connection, not the command's answer:
          // retrying re-attaches to the command, which runs on detached (activities/once.ts).
          if (code === null || code === undefined) {
            if (!exited) return reject(new Error(`${t.name}: the connection closed before the command's exit status arrived`));
          }
          resolve({ code: code ?? -1, stdout, stderr });
        });
      });
    }),
  };
}

/** `docker`: where the drill's containers are, whose secret env values are redacted from the output. */
export function sshActivities(docker: Docker) {
  return {
    /** Runs one step's command on an SSH host, at most once for `key`, within `timeoutMs`. */
    async sshCommand(input: { drillId: string; key: string; host: SshTarget; command: string; timeoutMs: number }): Promise<SshResult> {
      const { host } = input;
      const privateKey = host.identityFile !== undefined
        ? await readFile(host.identityFile, 'utf8').catch((err: Error) => { throw ApplicationFailure.nonRetryable(`${host.name}: cannot read identityFile ${host.identityFile}: ${err.message}`, ErrorType.NoIdentity); })
        : drillKey(input.drillId).privateKey;
      // A runbook script that prints the database's password (its env) must not put it in the record.
      const secrets = [privateKey, ...await drillSecrets(docker, input.drillId)];
      const clean = (s: string) => redact(s, secrets).slice(0, OUTPUT_LIMIT);
      const startedAt = Date.now();
      const session = await connect(host, privateKey);
      const marker = markerPath(input.key, '.drill-steps');
      const beat = setInterval(() => heartbeat(), 1000);
      let timer: NodeJS.Timeout | undefined;
      try {
        const cancelled = Context.current().cancellationSignal;
        const outcome = await Promise.race([
          session.run(shellLine(onceArgv(marker, ['sh', '-c', input.command]))),
          new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), input.timeoutMs); }),
          new Promise<'cancelled'>((resolve) => cancelled.addEventListener('abort', () => resolve('cancelled'))),
        ]);
        if (outcome === 'timeout' || outcome === 'cancelled') {
          // The command runs detached from this session: end it explicitly, or it would outlive the step.
          await session.run(shellLine(killArgv(marker))).catch(() => undefined);
          if (outcome === 'cancelled') throw new Error('cancelled');
          throw ApplicationFailure.nonRetryable(`\`${clean(input.command)}\` on ${host.name} did not finish within ${input.timeoutMs}ms; killed`, ErrorType.Timeout);
        }
        return { exitCode: outcome.code, stdout: clean(outcome.stdout), stderr: clean(outcome.stderr), startedAt, endedAt: Date.now() };
      } finally {
        clearInterval(beat);
        clearTimeout(timer);
        session.client.end();
      }
    },
  };
}

export type SshActivities = ReturnType<typeof sshActivities>;
