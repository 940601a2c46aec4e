// A probe counts a service as up only when the service itself answered. Docker's userland proxy holds
// every published port open while the container runs, listener or not, so these drills run services
// that listen late or never, behind that proxy, and check each probe's figures against the
// container's own account of when it started listening.
import { createServer, Socket, type Server } from 'node:net';
import type { Container } from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceName, RUN_LABEL } from '../../activities/names.js';
import { tcpChecker } from '../../activities/tcp.js';
import { measureRto } from '../../model/measure.js';
import type { DrillRecord, SampleRun } from '../../model/record.js';
import type { DrillSpec } from '../../model/spec.js';
import { buildReport } from '../../report/build.js';
import { docker, harness, leftovers, specFrom, uniqueId } from '../support/harness.js';
import { tail } from '../support/ledger.js';

const PROTOCOLS = ['tcp', 'redis', 'http'] as const;

/** One container serving Redis on 6379 and HTTP on 8080 (once `command` gets there), a probe of each kind. */
const scenario = (container: string, command: string[], steps: string) => `
version: 1
name: probe-truth
topology:
  networks: [net]
  containers:
    ${container}:
      image: drill/site:latest
      command: ${JSON.stringify(command)}
      networks: [net]
      ports: [6379, 8080]
probes:
  tcp: { kind: availability, target: { container: ${container}, port: 6379, protocol: tcp }, interval: 100ms, sustain: 500ms }
  redis: { kind: availability, target: { container: ${container}, port: 6379, protocol: redis }, interval: 100ms, sustain: 500ms }
  http: { kind: availability, target: { container: ${container}, port: 8080, protocol: http, path: / }, interval: 100ms, sustain: 500ms }
objectives:
  - { system: ${container}, rto: 5s, rpo: 0s, availability: tcp }
steps:
${steps}`;

// Each start appends the moment it begins to listen (host and container share the clock), then starts
// Redis and an HTTP server: neither can answer before the mark.
const LISTEN_LATE = ['sh', '-c', [
  'sleep 10',
  'date +%s%3N >> /tmp/listening',
  "redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save '' --appendonly no --daemonize yes",
  'exec python3 -m http.server 8080 --bind 0.0.0.0 --directory /tmp',
].join('; ')];

/** Whether a plain connect to the container's published port completes: the proxy's doing, not the service's. */
async function proxyAccepts(drillId: string, container: string, port: number): Promise<boolean> {
  const info = await docker.getContainer(resourceName(drillId, container)).inspect();
  const hostPort = Number(info.HostConfig.PortBindings?.[`${port}/tcp`]?.[0]?.HostPort);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.connect(hostPort, '127.0.0.1');
  });
}

/** Runs the drill, checking while it runs (before `whileRunningMs`) that the proxy accepts on every published port. */
async function runBehindProxy(spec: DrillSpec, ports: [container: string, port: number][], whileRunningMs: number): Promise<DrillRecord> {
  const handle = await h.start(spec);
  const deadline = Date.now() + whileRunningMs;
  let accepted: boolean[] = [];
  while (Date.now() < deadline) {
    accepted = await Promise.all(ports.map(([c, p]) => proxyAccepts(spec.drillId, c, p).catch(() => false)));
    if (accepted.every(Boolean)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const record = await handle.result();
  // The precondition of the whole test: a connect alone would have said "up".
  expect(accepted, 'the published ports accepted connections while nothing answered').toEqual(ports.map(() => true));
  return record;
}

/** A plain TCP forwarder on loopback, as `ssh -L` would be: it hangs up when the far side does. */
function forwarder(to: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = new Socket();
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy()).on('close', () => upstream.destroy());
    upstream.connect(to, '127.0.0.1');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

const okRuns = (runs: SampleRun[]) => runs.filter((r) => r.ok);
const samples = (runs: SampleRun[]) => runs.reduce((n, r) => n + r.count, 0);

let h: Awaited<ReturnType<typeof harness>>;
beforeAll(async () => { h = await harness(); });
afterAll(async () => { await h?.close(); });

describe('probes behind Docker\'s port proxy', () => {
  it('see a late listener up only once it listens: the steady-state wait and the RTO follow the service, not the port', async () => {
    const spec = specFrom(scenario('late', LISTEN_LATE, `
  - { id: steady, kind: wait, probe: tcp, until: healthy, timeout: 60s }
  - { id: crash, kind: fault, docker: { action: kill, target: late } }
  - { id: restart, kind: manual, runbook: Start the service again, expected: 1m, auto: { action: start, target: late } }
  - { id: back, kind: wait, probe: tcp, until: healthy, timeout: 60s }
  - { id: marks, kind: docker, docker: { action: exec, target: late, command: [sh, -c, "cat /tmp/listening 2>/dev/null; true"] } }
`));
    const record = await runBehindProxy(spec, [['late', 6379], ['late', 8080]], 8000);
    expect(record.status, tail(record)).toBe('completed');
    const marks = (record.steps.find((s) => s.id === 'marks')!.output ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
    // Fewer than two: a wait let the drill go on (and end) before the service listened.
    expect(marks, `when the service started listening\n${tail(record)}`).toHaveLength(2);
    const [firstListen, secondListen] = marks as [number, number];
    const t0 = record.t0!;
    const provisioned = record.timeline.find((e) => e.type === 'topology.provisioned')!.at;
    // The container's own count: it really was silent for its 10 s each time.
    expect(firstListen - provisioned).toBeGreaterThan(9000);
    expect(secondListen - t0).toBeGreaterThan(10_000);

    // The steady-state wait holds from the first sample after the service listened, not before.
    const steady = record.timeline.find((e) => e.type === 'probe.healthy' && e.step === 'steady')!;
    expect(steady.at).toBeGreaterThanOrEqual(firstListen);
    expect(steady.at - firstListen).toBeLessThan(3000);

    for (const name of PROTOCOLS) {
      const runs = record.availability[name]!;
      const p = spec.probes[name]!;
      // Not one sample up while nothing listened: before the first mark, or between the crash and the second.
      expect(okRuns(runs).filter((r) => r.firstAt < firstListen), name).toEqual([]);
      expect(okRuns(runs).filter((r) => r.lastAt > t0 + 1000 && r.firstAt < secondListen), name).toEqual([]);
      // The RTO is the real time until the service listened again, and not much more.
      const rto = measureRto(runs, t0, p.kind === 'availability' ? p.sustainMs : 0, p.intervalMs);
      expect(rto.actualMs, name).not.toBeNull();
      expect(rto.restoredAt!, name).toBeGreaterThanOrEqual(secondListen);
      expect(rto.restoredAt! - secondListen, name).toBeLessThan(3000);
    }
    const reported = buildReport(record).objectives[0]!.rto;
    expect(reported.actualMs!).toBeGreaterThanOrEqual(secondListen - t0);
    expect(reported.met).toBe(false);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('see a service that never listens down for the whole drill, and never let the steady-state wait pass', async () => {
    const spec = specFrom(scenario('mute', ['sleep', 'infinity'], `
  - { id: steady-tcp, kind: wait, probe: tcp, until: healthy, timeout: 3s, onFailure: continue }
  - { id: steady-redis, kind: wait, probe: redis, until: healthy, timeout: 3s, onFailure: continue }
  - { id: steady-http, kind: wait, probe: http, until: healthy, timeout: 3s, onFailure: continue }
  - { id: listeners, kind: docker, docker: { action: exec, target: mute, command: [ss, -Hltn, "( sport = :6379 or sport = :8080 )"] } }
`));
    const record = await runBehindProxy(spec, [['mute', 6379], ['mute', 8080]], 6000);
    expect(record.status, tail(record)).toBe('completed');
    // The container's own count: nothing listens on either port (Docker's DNS may listen on 127.0.0.11).
    expect(record.steps.find((s) => s.id === 'listeners')!.output ?? '').toBe('');
    for (const name of PROTOCOLS) {
      const step = record.steps.find((s) => s.id === `steady-${name}`)!;
      expect(step.status, name).toBe('failed');
      expect(step.error, name).toContain('did not become healthy');
      const runs = record.availability[name]!;
      expect(okRuns(runs), name).toEqual([]);
      expect(samples(runs), name).toBeGreaterThan(10);
    }
    // The engine's proxy was seen, and its target refused what the proxy accepted.
    expect(record.availability.tcp!.map((r) => r.error).join(' ')).toMatch(/the port's proxy accepted, but its target \S+ did not/);
    expect(await leftovers(spec.drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it('count a forwarded port whose proxy it cannot see (as with DRILL_PUBLISH_HOST) down when the proxy hangs up', async () => {
    // Ports forwarded to another address (ssh -L, a remote engine's host) hide which docker-proxy
    // serves them: only the hang-up tells. A real forwarder in front of each real published port.
    const drillId = uniqueId('pt');
    const created: Container[] = [];
    const forwarders: Server[] = [];
    try {
      const ports: number[] = [];
      for (const [name, cmd] of [['mute', ['sleep', 'infinity']], ['redis', ['redis-server', '--protected-mode', 'no']]] as const) {
        const c = await docker.createContainer({
          name: resourceName(drillId, name), Image: 'drill/redis:latest', Cmd: [...cmd], Labels: { [RUN_LABEL]: drillId },
          ExposedPorts: { '6379/tcp': {} }, HostConfig: { PortBindings: { '6379/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
        });
        created.push(c);
        await c.start();
        const f = await forwarder(Number((await c.inspect()).NetworkSettings.Ports['6379/tcp']![0]!.HostPort));
        forwarders.push(f.server);
        ports.push(f.port);
      }
      const [mutePort, redisPort] = ports as [number, number];
      // The listening one is up before anything is asked of it.
      await expect.poll(() => tcpChecker('127.0.0.1', redisPort, 1000)().then(() => true, () => false), { timeout: 30_000 }).toBe(true);
      const outcomes = async (port: number) => {
        const check = tcpChecker('127.0.0.1', port, 1000);
        const seen: string[] = [];
        for (let i = 0; i < 20; i++) seen.push(await check().then(() => 'up', (err: Error) => err.message));
        return seen;
      };
      const mute = await outcomes(mutePort);
      expect(mute.filter((o) => o === 'up'), mute.join('\n')).toEqual([]);
      expect(mute.join(' ')).toContain('nothing answered behind the port');
      expect(await outcomes(redisPort)).toEqual(Array(20).fill('up'));
    } finally {
      for (const f of forwarders) f.close();
      await Promise.all(created.map((c) => c.remove({ force: true })));
    }
    expect(await leftovers(drillId)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
