// The embedded default: the Temporal CLI's dev server (a real Temporal server, SQLite persistence).
// The CLI is built once per machine from the pinned tag into the cache, outside any clone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { cacheDir, stateDir } from './paths.js';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
export const EMBEDDED_ADDRESS = '127.0.0.1:7233';

export function temporalUnreachableMessage(address: string): string {
  return process.env.TEMPORAL_ADDRESS
    ? `Temporal unreachable at ${address} (TEMPORAL_ADDRESS): start that cluster, or unset TEMPORAL_ADDRESS to use the embedded dev server`
    : `Temporal unreachable at ${address}: start the embedded server with \`npx drill server start\``;
}

/** Path of a usable `temporal` binary, building the pinned release with `go install` if there is none. */
export function ensureTemporalCli(log: (s: string) => void): string {
  const onPath = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  const bin = join(cacheDir(), 'bin');
  const cli = join(bin, 'temporal');
  if (existsSync(cli)) return cli;
  if (spawnSync('sh', ['-c', 'command -v go'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('the Temporal CLI is not on PATH and Go is not installed to build it; install Go, or put `temporal` on PATH, or set TEMPORAL_ADDRESS');
  }
  log(`building the Temporal CLI (${TEMPORAL_CLI_MODULE}) into ${bin}; this takes a few minutes once per machine`);
  const r = spawnSync('go', ['install', TEMPORAL_CLI_MODULE], {
    env: { ...process.env, GOBIN: bin, GOFLAGS: '-mod=mod' }, encoding: 'utf8', cwd: cacheDir(),
  });
  if (r.status !== 0 || !existsSync(cli)) throw new Error(`go install ${TEMPORAL_CLI_MODULE} failed: ${(r.stderr || '').trim().split('\n').slice(-5).join(' | ')}`);
  return cli;
}

export async function temporalReachable(address: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    try {
      await connection.workflowService.getSystemInfo({}, );
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

export type DevServer = { address: string; process: ChildProcess; stop(): Promise<void> };

/** Starts a dev server and waits until it answers. `detached` leaves it running after this process. */
export async function startDevServer(opts: { cli: string; port: number; uiPort: number; dbFile: string; logFile: string; detached: boolean }): Promise<DevServer> {
  const address = `127.0.0.1:${opts.port}`;
  const out = openSync(opts.logFile, 'a');
  const child = spawn(opts.cli, [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--ui-port', String(opts.uiPort),
    '--db-filename', opts.dbFile, '--headless', '--log-level', 'warn',
  ], { detached: opts.detached, stdio: ['ignore', out, out] });
  if (opts.detached) child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await temporalReachable(address, 1000)) {
      return {
        address, process: child,
        stop: () => new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill('SIGKILL');
  const tail = existsSync(opts.logFile) ? readFileSync(opts.logFile, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
  throw new Error(`the Temporal dev server did not answer on ${address} within 60s: ${tail}`);
}

/**
 * The address to use: TEMPORAL_ADDRESS when set (nothing is started), else the embedded dev server
 * on 127.0.0.1:7233, started in the background with its database under the state directory.
 */
export async function ensureTemporal(log: (s: string) => void): Promise<string> {
  const configured = process.env.TEMPORAL_ADDRESS;
  if (configured) {
    if (!(await temporalReachable(configured))) throw new Error(temporalUnreachableMessage(configured));
    return configured;
  }
  if (await temporalReachable(EMBEDDED_ADDRESS)) return EMBEDDED_ADDRESS;
  const cli = ensureTemporalCli(log);
  const dir = stateDir();
  log(`starting the embedded Temporal dev server on ${EMBEDDED_ADDRESS} (database ${join(dir, 'temporal.db')})`);
  const server = await startDevServer({ cli, port: 7233, uiPort: 8233, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log'), detached: true });
  writeFileSync(join(dir, 'temporal.pid'), String(server.process.pid));
  return server.address;
}

/** Stops the embedded server this product started (by its recorded PID), if it is running. */
export function stopEmbeddedServer(): boolean {
  const pidFile = join(stateDir(), 'temporal.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}
