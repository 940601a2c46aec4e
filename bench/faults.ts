// Fault injection at scale and latency accuracy. For N labelled containers (10, 50, 100 by default)
// it times one fault injected into all of them at once (Promise.all of the activity, each run in
// Temporal's MockActivityEnvironment, the code path a worker runs) and healed again: `pause` (an
// engine call) and `latency` (a sidecar per container, a baseline, tc/iptables, a measurement).
// Then it asks for 50, 100 and 200 ms of latency on one container and prints, side by side, the
// median added round-trip time a peer really measures. Never a pass/fail: machines are noisy.
// Everything it creates carries its bench drill's label and is removed at the end.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import Docker from 'dockerode';
import { faultActivities } from '../activities/faults.js';
import { RUN_LABEL, resourceName } from '../activities/names.js';
import type { FaultEffect, FaultHeal, FaultSpec } from '../model/fault.js';

const SIZES = (process.env.BENCH_FAULT_SIZES ?? '10,50,100').split(',').filter(Boolean).map(Number);
const ASKED = (process.env.BENCH_LATENCIES ?? '50,100,200').split(',').filter(Boolean).map(Number);
const IMAGE = process.env.BENCH_FAULT_IMAGE ?? 'drill/netem:latest';
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const docker = new Docker();
const acts = faultActivities(docker);
const inject = (drillId: string, key: string, fault: FaultSpec) => new MockActivityEnvironment(undefined, { logger: quiet }).run(acts.injectFault, { drillId, key, fault }) as Promise<FaultEffect>;
const heal = (drillId: string, key: string, fault: FaultSpec) => new MockActivityEnvironment(undefined, { logger: quiet }).run(acts.healFault, { drillId, key, fault }) as Promise<FaultHeal>;

async function topology(drillId: string, n: number): Promise<string[]> {
  const labels = (name: string) => ({ [RUN_LABEL]: drillId, 'drill.name': name });
  await docker.createNetwork({ Name: resourceName(drillId, 'lan'), Labels: labels('lan') });
  const names = Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(3, '0')}`);
  // A few at a time: the engine serialises much of container creation anyway.
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(names.slice(i, i + 10).map(async (name) => {
      const c = await docker.createContainer({
        name: resourceName(drillId, name), Image: IMAGE, Cmd: ['sleep', 'infinity'], Hostname: name, Labels: labels(name),
        NetworkingConfig: { EndpointsConfig: { [resourceName(drillId, 'lan')]: { Aliases: [name] } } },
      });
      await c.start();
    }));
  }
  return names;
}

async function cleanup(drillId: string): Promise<void> {
  const filters = { label: [`${RUN_LABEL}=${drillId}`] };
  const cs = await docker.listContainers({ all: true, filters });
  for (let i = 0; i < cs.length; i += 20) await Promise.all(cs.slice(i, i + 20).map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
}

/** One fault into every container at once, then healed at once: wall time of each batch. */
async function batch(drillId: string, names: string[], fault: Omit<FaultSpec, 'target'>): Promise<{ inject: number; heal: number; failed: number }> {
  const key = (n: string) => `${drillId}.${fault.type}.${n}`;
  let t = performance.now();
  const effects = await Promise.allSettled(names.map((n) => inject(drillId, key(n), { ...fault, target: n })));
  const injectMs = performance.now() - t;
  const failed = effects.filter((e) => e.status === 'rejected');
  if (failed.length) console.error(`  ${failed.length} ${fault.type} injection(s) failed, e.g. ${(failed[0] as PromiseRejectedResult).reason?.message}`);
  t = performance.now();
  await Promise.all(names.map((n) => heal(drillId, key(n), { ...fault, target: n })));
  return { inject: injectMs, heal: performance.now() - t, failed: failed.length };
}

function pingRtts(drillId: string, from: string, to: string, count: number): number[] {
  let out = '';
  try {
    out = execFileSync('docker', ['exec', resourceName(drillId, from), 'ping', '-n', '-c', String(count), '-i', '0.05', '-W', '2', to], { encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  return [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : NaN; };

async function accuracy(): Promise<void> {
  const drillId = `bench-lat-${randomBytes(3).toString('hex')}`;
  try {
    await topology(drillId, 2);
    const base = median(pingRtts(drillId, 'c002', 'c001', 20));
    console.log(`\nlatency accuracy: c001 delayed (egress), 20 pings from c002 to c001 per row; baseline median rtt ${base.toFixed(2)} ms`);
    console.log('asked ms | measured median added ms | min..max added ms | measured/asked | activity evidence');
    for (const ms of ASKED) {
      const fault: FaultSpec = { type: 'latency', target: 'c001', delayMs: ms, peer: 'c002' };
      const key = `${drillId}.acc${ms}`;
      const e = await inject(drillId, key, fault);
      const rtts = pingRtts(drillId, 'c002', 'c001', 20);
      await heal(drillId, key, fault);
      const added = median(rtts) - base;
      const range = `${(Math.min(...rtts) - base).toFixed(1)}..${(Math.max(...rtts) - base).toFixed(1)}`;
      console.log(`${String(ms).padStart(8)} | ${added.toFixed(1).padStart(24)} | ${range.padStart(17)} | ${(added / ms).toFixed(3).padStart(14)} | ${e.evidence}`);
    }
  } finally {
    await cleanup(drillId);
  }
}

async function main() {
  console.log(`fault injection at scale: one fault into N containers (${IMAGE}, sleep infinity) at once, then healed at once`);
  console.log('N   | fault   | inject batch ms | per container ms | heal batch ms | per container ms | failed');
  for (const n of SIZES) {
    const drillId = `bench-flt-${randomBytes(3).toString('hex')}`;
    try {
      const names = await topology(drillId, n);
      for (const fault of [{ type: 'pause' }, { type: 'latency', delayMs: 50 }] as Omit<FaultSpec, 'target'>[]) {
        const r = await batch(drillId, names, fault);
        console.log(`${String(n).padEnd(3)} | ${fault.type.padEnd(7)} | ${r.inject.toFixed(0).padStart(15)} | ${(r.inject / n).toFixed(1).padStart(16)} | ${r.heal.toFixed(0).padStart(13)} | ${(r.heal / n).toFixed(1).padStart(16)} | ${r.failed}`);
      }
    } finally {
      await cleanup(drillId);
    }
  }
  await accuracy();
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
