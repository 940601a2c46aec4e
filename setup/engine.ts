// Makes sure a Docker engine answers. On Debian as root with none installed, installs Debian's
// docker.io and starts dockerd in the background (there is no systemd on these machines).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { stateDir } from './paths.js';

export async function engineAnswers(docker = new Docker()): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

export function dockerUnreachableMessage(): string {
  const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return `Docker engine unreachable at ${where}: start it (\`dockerd &\`, or \`npx drill setup\` on Debian as root), or set DOCKER_HOST to a reachable engine`;
}

export const isDebianRoot = () => process.getuid?.() === 0 && existsSync('/etc/debian_version');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

export function aptInstall(packages: string[], log: (s: string) => void): void {
  log(`installing Debian packages: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const listsFresh = spawnSync('sh', ['-c', 'ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1'], { stdio: 'ignore' }).status === 0;
  if (!listsFresh) run('apt-get', ['update'], env);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], env);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-5).join(' | ')}`);
}

export async function ensureDockerEngine(log: (s: string) => void): Promise<void> {
  if (await engineAnswers()) return;
  if (process.env.DOCKER_HOST) throw new Error(dockerUnreachableMessage());
  if (!isDebianRoot()) throw new Error(`${dockerUnreachableMessage()}; automatic set-up needs Debian and root`);
  if (!has('dockerd')) aptInstall(['docker.io'], log);
  const logFile = join(stateDir(), 'dockerd.log');
  log(`starting dockerd in the background (log: ${logFile})`);
  const out = openSync(logFile, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await engineAnswers()) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
  throw new Error(`dockerd did not answer within 60s: ${tail}`);
}

export function ensureDebootstrap(log: (s: string) => void): void {
  if (!has('debootstrap')) {
    if (!isDebianRoot()) throw new Error('debootstrap is needed to build the base image offline; install it (apt-get install debootstrap)');
    aptInstall(['debootstrap'], log);
  }
}
