// What the fault activities share: running short commands in containers with their output, reading
// the engine's CPU and memory figures, and the failures a fault reports (finding the drill's container
// is activities/containers.ts). Read-only helpers: nothing here changes a container.
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import type { FaultSpec } from '../model/fault.js';
import type { Target } from './containers.js';

export type Exec = { code: number; out: string; err: string };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fault key as a name part: Docker names, file names and iptables comments accept it. */
export const safeKey = (drillId: string, key: string) => (key.startsWith(`${drillId}.`) ? key.slice(drillId.length + 1) : key).replace(/[^A-Za-z0-9_.-]/g, '_');

/** A readable summary of what was asked, for evidence and failures. */
export function asked(f: FaultSpec): string {
  const on = `on ${f.target}`;
  switch (f.type) {
    case 'kill': return `kill ${f.signal ?? 'SIGKILL'} of ${f.target}`;
    case 'kill-process': return `kill-process ${f.process} (${f.signal ?? 'SIGKILL'}) ${on}`;
    case 'latency': return `latency ${f.delayMs}ms${f.jitterMs ? ` ±${f.jitterMs}ms` : ''} ${on}${f.network ? ` (${f.network})` : ''}`;
    case 'loss': case 'corrupt': case 'duplicate': return `${f.type} ${f.packets}% ${on}${f.network ? ` (${f.network})` : ''}`;
    case 'bandwidth': return `bandwidth ${f.rate} ${on}${f.network ? ` (${f.network})` : ''}`;
    case 'partition': return `partition of ${f.target}${f.network ? ` from ${f.network}` : ''}`;
    case 'partition-pair': return `partition-pair ${f.target} ⟷ ${f.peer}`;
    case 'disk-fill': return `disk-fill of ${f.path} to ${f.level}% ${on}`;
    case 'cpu': return `cpu ${f.workers ?? 1} worker(s) ${on}`;
    case 'memory': return `memory ${f.megabytes}MB ${on}`;
    case 'corrupt-file': case 'delete-file': return `${f.type} ${f.path} ${on}`;
    case 'drop-table': return `drop-table ${f.table} (${f.database ?? 'postgres'}) ${on}`;
    case 'clock-skew': return `clock-skew ${f.skewMs}ms ${on}`;
    default: return `${f.type} ${on}`;
  }
}

export const noEffect = (f: FaultSpec, measured: string) => ApplicationFailure.nonRetryable(`${asked(f)} had no effect: ${measured}`, ErrorType.NoEffect);

export function requireRunning(f: FaultSpec, t: Target): void {
  if (!t.info.State.Running || t.info.State.Paused) {
    throw ApplicationFailure.nonRetryable(`${asked(f)}: ${f.target} is ${t.info.State.Paused ? 'paused' : 'not running'}`, ErrorType.NotRunning);
  }
}

/** Runs a short command in a container: exit code, stdout and stderr (each capped at 64 KiB). */
export async function run(docker: Docker, container: Docker.Container, cmd: string[], opts: { env?: string[]; timeoutMs?: number } = {}): Promise<Exec> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(opts.env && { Env: opts.env }) });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c: Buffer) => { if (o.length < 65536) o += c.toString('utf8'); });
  err.on('data', (c: Buffer) => { if (e.length < 65536) e += c.toString('utf8'); });
  docker.modem.demuxStream(stream, out, err);
  const limit = opts.timeoutMs ?? 60_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { stream.destroy(); reject(new Error(`${cmd.join(' ').slice(0, 120)} took over ${limit} ms`)); }, limit);
    const done = () => { clearTimeout(timer); resolve(); };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (x) => { clearTimeout(timer); reject(x); });
  });
  return { code: (await exec.inspect()).ExitCode ?? -1, out: o, err: e };
}

/** A shell script run with `sh -c`, its arguments as $1...; throws with its stderr when it fails. */
export async function sh(docker: Docker, container: Docker.Container, script: string, args: string[] = [], opts: { env?: string[]; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(docker, container, ['sh', '-c', script, 'drill-fault', ...args], opts);
  if (r.code !== 0) throw new Error(`${script.split('\n')[0]!.slice(0, 80)}… exited ${r.code}: ${(r.err || r.out).trim().slice(0, 400)}`);
  return r.out;
}

/** Waits until `check` returns a value (not undefined), heartbeating; undefined after `ms`. */
export async function waitFor<T>(ms: number, check: () => Promise<T | undefined>, every = 100): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined || Date.now() >= end) return v;
    heartbeat();
    await sleep(every);
  }
}

/** An engine timestamp (RFC 3339 with nanoseconds) in fractional milliseconds. */
const engineMs = (iso: string) => {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso);
  return m ? Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? '0'}`) * 1000 : NaN;
};

/**
 * The engine's one-shot figures for the container's cgroup: when it sampled them, CPU time used (ns)
 * and anonymous memory (bytes). The engine samples about once a second; its own timestamp is used.
 */
export async function usage(container: Docker.Container): Promise<{ at: number; cpuNs: number; memBytes: number }> {
  const s = (await container.stats({ stream: false, 'one-shot': true } as never)) as unknown as {
    read: string;
    cpu_stats: { cpu_usage: { total_usage: number } };
    memory_stats: { usage?: number; stats?: Record<string, number> };
  };
  const m = s.memory_stats.stats ?? {};
  // cgroup v1: rss; v2: anon. Page cache (a tmpfs being filled, say) is not what a memory fault holds.
  const memBytes = m.total_rss ?? m.rss ?? m.anon ?? s.memory_stats.usage ?? 0;
  return { at: engineMs(s.read), cpuNs: s.cpu_stats.cpu_usage.total_usage, memBytes };
}

/** CPU used by the container between two of the engine's samples at least `ms` apart, in percent of one core. */
export async function cpuPercent(container: Docker.Container, ms = 300): Promise<number> {
  const a = await usage(container);
  await sleep(ms);
  let b = await usage(container);
  while (!(b.at > a.at)) {
    await sleep(200);
    b = await usage(container);
  }
  return ((b.cpuNs - a.cpuNs) / 1e6 / (b.at - a.at)) * 100;
}

export const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)}MB`;
