// Bringing up the two-site reference system from built images: the drill (workflow, provision
// activity, host-key pinning, the availability probe) against the same containers made with plain
// `docker` CLI commands and a curl-like poll. Both run here, alternately, in one run; the figures are
// printed side by side with their ratio. "Up" is the first 200 from /health through the gateway.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { toDrillSpec, type ContainerSpec, type DrillSpec } from '../model/spec.js';
import { formatError, validateScenarioText } from '../model/validate.js';
import { drillRunner } from './drill-runner.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SCENARIO = new URL('../../scenarios/site-failover.yaml', import.meta.url);

/** The failover scenario's topology and probes, with one step: wait until users are served. */
async function upSpec(): Promise<DrillSpec> {
  const v = validateScenarioText(await readFile(SCENARIO, 'utf8'), 'site-failover.yaml');
  if (!v.ok) throw new Error(v.errors.map(formatError).join('\n'));
  const s = { ...v.scenario, steps: [{ id: 'up', kind: 'wait' as const, probe: 'orders-up', until: 'healthy' as const, onFailure: 'abort' as const, timeout: '5m' }] };
  return toDrillSpec(s, `bench-up-${randomBytes(3).toString('hex')}`);
}

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

/** The same topology by hand: networks, volumes, `docker create` with aliases, connect, start, poll. */
async function byCli(spec: DrillSpec): Promise<{ upMs: number; downMs: number }> {
  const p = `bench-cli-${randomBytes(3).toString('hex')}`;
  const t = performance.now();
  for (const n of spec.topology.networks) docker('network', 'create', `${p}-${n}`);
  for (const v of spec.topology.volumes) docker('volume', 'create', `${p}-${v}`);
  for (const [name, c] of Object.entries(spec.topology.containers) as [string, ContainerSpec][]) {
    const [first, ...rest] = c.networks;
    docker('create', '--name', `${p}-${name}`, '--hostname', name,
      ...(first ? ['--network', `${p}-${first}`, '--network-alias', name] : []),
      ...Object.entries(c.env).flatMap(([k, val]) => ['-e', `${k}=${val}`]),
      ...Object.entries(c.volumes).flatMap(([v, path]) => ['-v', `${p}-${v}:${path}`]),
      ...c.ports.flatMap((port) => ['-p', `127.0.0.1::${port}`]),
      c.image, ...(c.command ?? []));
    for (const n of rest) docker('network', 'connect', '--alias', name, `${p}-${n}`, `${p}-${name}`);
    if (c.start) docker('start', `${p}-${name}`);
  }
  const port = Number(docker('port', `${p}-gateway`, '8080/tcp').split('\n')[0]!.split(':').pop());
  const deadline = Date.now() + 300_000;
  while (!(await healthy(port))) {
    if (Date.now() > deadline) throw new Error('the CLI-built system never answered /health');
    await new Promise((r) => setTimeout(r, 200));
  }
  const upMs = performance.now() - t;
  const d = performance.now();
  docker('rm', '-f', '-v', ...Object.keys(spec.topology.containers).map((n) => `${p}-${n}`));
  for (const n of spec.topology.networks) docker('network', 'rm', `${p}-${n}`);
  for (const v of spec.topology.volumes) docker('volume', 'rm', '-f', `${p}-${v}`);
  return { upMs, downMs: performance.now() - d };
}

async function main() {
  const drills = await drillRunner();
  const byDrill = async () => {
    const spec = await upSpec();
    const t = Date.now();
    const record = await drills.run(spec);
    const up = record.timeline.find((e) => e.type === 'probe.healthy')!.at;
    const cleanup = record.timeline.find((e) => e.type === 'cleanup.done')!.at;
    const lastStep = record.steps[0]!.endedAt!;
    return { upMs: up - t, provisionMs: record.timeline.find((e) => e.type === 'topology.provisioned')!.at - t, downMs: cleanup - lastStep };
  };
  const rows: { cli: { upMs: number; downMs: number }; drill: { upMs: number; provisionMs: number; downMs: number } }[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) rows.push({ cli: await byCli(await upSpec()), drill: await byDrill() });
  } finally {
    await drills.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const containers = Object.keys((await upSpec()).topology.containers).length;
  rows.forEach((r, i) => console.log(`round ${i + 1}: docker CLI up ${s(r.cli.upMs)}, down ${s(r.cli.downMs)} | drill up ${s(r.drill.upMs)} (provisioned at ${s(r.drill.provisionMs)}), cleanup ${s(r.drill.downMs)}`));
  const cli = median(rows.map((r) => r.cli.upMs));
  const drill = median(rows.map((r) => r.drill.upMs));
  console.log(`two-site system (${containers} containers, 4 networks, 5 volumes) up to the first 200 from /health through the gateway, median of ${ROUNDS}:`);
  console.log(`  plain docker CLI: ${s(cli)}; drill: ${s(drill)}; ratio (drill / CLI): ${(drill / cli).toFixed(2)}x`);
  console.log(`  teardown: docker CLI ${s(median(rows.map((r) => r.cli.downMs)))}; drill cleanup ${s(median(rows.map((r) => r.drill.downMs)))}`);
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
