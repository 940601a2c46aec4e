// The fault activities: inject a fault on one of the drill's containers and verify, by measuring,
// that it took effect; heal it and verify the target is back. Both are safe to retry after a worker
// crash (state is checked before it is changed, and what a heal needs is kept in Docker, not in the
// worker), and a heal of a fault that is not in place succeeds, saying so. Network faults live in
// network-faults.ts (a sidecar in the target's namespace), exec-driven ones in host-faults.ts.
import Docker from 'dockerode';
import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import { type FaultActivities, type FaultEffect, type FaultHeal, type FaultSpec, REQUIRED_PARAMS, specParam, UNHEALABLE } from '../model/fault.js';
import { RUN_LABEL, resourceName } from './names.js';
import { asked, noEffect, requireRunning, run, safeKey, waitFor } from './fault-kit.js';
import { type Target, drillTarget, isConflict, isNotFound, isNotModified } from './containers.js';
import { NETEM_IMAGE, FAULT_LABEL } from './netem.js';
import { healNetwork, injectNetwork } from './network-faults.js';
import * as host from './host-faults.js';

/** One call of either activity: the drill, the fault's key (drill, step, target), the resolved fault. */
type FaultCall = Parameters<FaultActivities['injectFault']>[0];

const NETWORK = new Set(['partition', 'partition-pair', 'latency', 'loss', 'corrupt', 'duplicate', 'bandwidth', 'dns']);

export function faultActivities(docker: Docker): FaultActivities {
  return {
    /** Injects `fault` on the drill's container `fault.target`; resolves once it is measured in effect. */
    async injectFault(input: FaultCall): Promise<FaultEffect> {
      return beating(() => inject(docker, input));
    },
    /** Undoes `fault` and verifies the target is back; succeeds (saying so) when it is not in place. */
    async healFault(input: FaultCall): Promise<FaultHeal> {
      return beating(() => heal(docker, input));
    },
  };
}

/** Long engine calls and measurements: keep proving the activity is alive. */
async function beating<T>(fn: () => Promise<T>): Promise<T> {
  const beat = setInterval(() => heartbeat(), 1000);
  try {
    return await fn();
  } finally {
    clearInterval(beat);
  }
}

function check(f: FaultSpec): void {
  // clock-skew is refused as unsupported whatever its parameters say (clockSkew): its skew is not asked for.
  const needs = f.type === 'clock-skew' ? [] : (REQUIRED_PARAMS[f.type] ?? []).map(specParam);
  const missing = needs.filter((k) => f[k] === undefined);
  if (missing.length) throw ApplicationFailure.nonRetryable(`a ${f.type} fault needs ${missing.join(', ')}`, ErrorType.BadFault);
}

async function inject(docker: Docker, { drillId, key, fault: f }: FaultCall): Promise<FaultEffect> {
  check(f);
  if (NETWORK.has(f.type)) return injectNetwork(docker, drillId, key, f);
  const t = await drillTarget(docker, drillId, f.target);
  const c = { docker, t, f, tag: safeKey(drillId, key) };
  switch (f.type) {
    case 'kill': case 'stop': return down(t, f);
    case 'restart': return restart(docker, drillId, key, t, f);
    case 'pause': return pause(docker, t, f);
    case 'clock-skew': return clockSkew(docker, t, f);
  }
  requireRunning(f, t);
  switch (f.type) {
    case 'kill-process': return host.killProcess(c);
    case 'disk-fill': return host.diskFill(c);
    case 'cpu': return host.cpu(c);
    case 'memory': return host.memory(c);
    case 'corrupt-file': return host.corruptFile(c);
    case 'delete-file': return host.deleteFile(c);
    case 'drop-table': return host.dropTable(c);
    case 'flush-keyspace': return host.flushKeyspace(c);
    default: throw ApplicationFailure.nonRetryable(`unknown fault type ${f.type}`, ErrorType.BadFault);
  }
}

async function heal(docker: Docker, { drillId, key, fault: f }: FaultCall): Promise<FaultHeal> {
  if (NETWORK.has(f.type)) return healNetwork(docker, drillId, key, f);
  const t = await drillTarget(docker, drillId, f.target, true);
  if (f.type === 'restart') await docker.getContainer(recordName(drillId, key)).remove({ force: true }).catch((e) => { if (!isNotFound(e)) throw e; });
  if (f.type === 'clock-skew') return { healedAt: Date.now(), evidence: 'nothing to heal: clock-skew is never injected (unsupported)' };
  if (!t) return { healedAt: Date.now(), evidence: `${f.target} no longer exists; nothing to heal${UNHEALABLE.has(f.type) ? ` (and ${f.type} is not healed anyway)` : ''}` };
  const c = { docker, t, f, tag: safeKey(drillId, key) };
  if (UNHEALABLE.has(f.type)) return host.healDamage(c);
  const s = t.info.State;
  switch (f.type) {
    case 'kill': case 'stop': return up(t, f);
    case 'restart': return { healedAt: Date.now(), evidence: `restart leaves nothing to heal; ${f.target} ${s.Running ? `running since ${s.StartedAt}` : 'is not running'}` };
    case 'pause': return unpause(docker, t);
  }
  if (!s.Running || s.Paused) {
    const left = f.type === 'disk-fill' ? `; its fill file ${f.path}/.drill-fill-${c.tag} could not be removed while it is ${s.Paused ? 'paused' : 'stopped'} (it goes with the container)` : ': its processes, and the fault with them, are gone';
    return { healedAt: Date.now(), evidence: `${f.target} is ${s.Paused ? 'paused' : 'not running'}${left}` };
  }
  switch (f.type) {
    case 'disk-fill': return host.healDiskFill(c);
    case 'cpu': return host.healCpu(c);
    case 'memory': return host.healMemory(c);
    default: throw ApplicationFailure.nonRetryable(`unknown fault type ${f.type}`, ErrorType.BadFault);
  }
}

// ---- process faults ------------------------------------------------------------------------------

/** kill and stop: the container not running, at the engine's own record of when it stopped. */
async function down(t: Target, f: FaultSpec): Promise<FaultEffect> {
  const was = t.info.State.Running;
  if (was) {
    const act = f.type === 'kill' ? t.container.kill({ signal: f.signal ?? 'SIGKILL' }) : t.container.stop({ t: 10 });
    await act.catch((e) => { if (!isNotModified(e) && !isConflict(e)) throw e; });
  }
  const stopped = await waitFor(f.type === 'stop' ? 15_000 : 5000, async () => {
    const i = await t.container.inspect();
    return i.State.Running ? undefined : i;
  }, 100);
  if (!stopped) throw noEffect(f, `${f.target} is still running (since ${t.info.State.StartedAt})`);
  const { FinishedAt, ExitCode } = stopped.State;
  return { effectAt: Date.parse(FinishedAt), evidence: `${f.target} not running${was ? '' : ' (it already was not)'}: exit code ${ExitCode} at ${FinishedAt}` };
}

async function up(t: Target, f: FaultSpec): Promise<FaultHeal> {
  if (t.info.State.Running) return { healedAt: Date.parse(t.info.State.StartedAt), evidence: `${f.target} already running (since ${t.info.State.StartedAt})` };
  await t.container.start().catch((e) => { if (!isNotModified(e)) throw e; });
  const i = await waitFor(10_000, async () => {
    const x = await t.container.inspect();
    return x.State.Running ? x : undefined;
  });
  if (!i) throw new Error(`${f.target} did not come back up after start`);
  // Still up a moment later: a container that exits at once is not healed.
  await new Promise((r) => setTimeout(r, 500));
  const again = await t.container.inspect();
  if (!again.State.Running) throw new Error(`${f.target} exited right after start (code ${again.State.ExitCode})`);
  return { healedAt: Date.parse(i.State.StartedAt), evidence: `${f.target} running again (started ${i.State.StartedAt})` };
}

const recordName = (drillId: string, key: string) => resourceName(drillId, `fault-${safeKey(drillId, key)}`);

/** restart: a new StartedAt. The one before is kept in a record container's label, for a retry to compare. */
async function restart(docker: Docker, drillId: string, key: string, t: Target, f: FaultSpec): Promise<FaultEffect> {
  const name = recordName(drillId, key);
  let before: string | undefined;
  try {
    const rec = await docker.getContainer(name).inspect();
    if (rec.Config.Labels?.[RUN_LABEL] !== drillId) throw ApplicationFailure.nonRetryable(`container ${name} is not labelled ${RUN_LABEL}=${drillId}`, ErrorType.Unlabelled);
    before = rec.Config.Labels['drill.fault.started'];
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (before === undefined) {
    before = t.info.State.StartedAt;
    await docker.createContainer({
      name, Image: NETEM_IMAGE, Cmd: ['true'],
      Labels: { [RUN_LABEL]: drillId, [FAULT_LABEL]: key, 'drill.fault.target': f.target, 'drill.fault.started': before },
      HostConfig: { NetworkMode: 'none' },
    }).catch((e) => {
      if (isNotFound(e)) throw ApplicationFailure.nonRetryable(`image ${NETEM_IMAGE} is not built; run \`npx drill setup\``, ErrorType.ImageMissing);
      throw e;
    });
  }
  const now = await t.container.inspect();
  if (!(now.State.Running && now.State.StartedAt !== before)) await t.container.restart({ t: 10 });
  const i = await waitFor(20_000, async () => {
    const x = await t.container.inspect();
    return x.State.Running && x.State.StartedAt !== before ? x : undefined;
  });
  if (!i) throw noEffect(f, `${f.target} has not started again (StartedAt still ${before})`);
  return { effectAt: Date.parse(i.State.StartedAt), evidence: `${f.target} restarted: started ${before} → ${i.State.StartedAt}` };
}

/** pause: the engine reports it paused, and an exec in it is refused. */
async function pause(docker: Docker, t: Target, f: FaultSpec): Promise<FaultEffect> {
  if (!t.info.State.Paused) {
    requireRunning(f, t);
    await t.container.pause().catch((e) => { if (!isConflict(e)) throw e; });
  }
  const effectAt = Date.now();
  const i = await t.container.inspect();
  const probe = await run(docker, t.container, ['true']).then((r) => `exec ran (exit ${r.code})`, (e: Error) => `exec refused: ${e.message.replace(/^\(HTTP code \d+\) [a-z ]+- /, '').trim()}`);
  if (!i.State.Paused || !probe.startsWith('exec refused')) throw noEffect(f, `state ${i.State.Status}; ${probe}`);
  return { effectAt, evidence: `${f.target} ${i.State.Status}${t.info.State.Paused ? ' (already)' : ''}; ${probe}` };
}

async function unpause(docker: Docker, t: Target): Promise<FaultHeal> {
  const name = t.info.Name.replace(/^\//, '');
  if (!t.info.State.Paused) return { healedAt: Date.now(), evidence: `not in place: ${name} is not paused (${t.info.State.Status})` };
  await t.container.unpause().catch((e) => { if (!isConflict(e)) throw e; });
  const healedAt = Date.now();
  const r = await run(docker, t.container, ['true']);
  if (r.code !== 0) throw new Error(`unpaused ${name}, but exec in it exited ${r.code}`);
  return { healedAt, evidence: `${name} unpaused: ${(await t.container.inspect()).State.Status}, exec runs again` };
}

/**
 * clock-skew cannot be done to one container: they all read the host kernel's CLOCK_REALTIME, and
 * time namespaces cover only the monotonic and boot clocks. Shown, not assumed: a target without
 * CAP_SYS_TIME is refused `date -s`; one with it is not tried, as it would move the host's clock.
 */
async function clockSkew(docker: Docker, t: Target, f: FaultSpec): Promise<never> {
  requireRunning(f, t);
  let shown = 'could not read its capabilities';
  const caps = await run(docker, t.container, ['sh', '-c', 'sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status']).catch(() => null);
  const hex = caps?.code === 0 ? caps.out.trim() : '';
  if (/^[0-9a-f]{16}$/.test(hex)) {
    if ((BigInt(`0x${hex}`) & (1n << 25n)) === 0n) {
      const when = Math.floor((Date.now() + (f.skewMs ?? 0)) / 1000);
      const d = await run(docker, t.container, ['date', '-s', `@${when}`]);
      shown = d.code !== 0 ? `\`date -s\` in ${f.target} fails: ${(d.err || d.out).trim().split('\n')[0]}` : `\`date -s\` in ${f.target} exited 0`;
    } else {
      shown = `${f.target} holds CAP_SYS_TIME, so setting its clock would set the host's clock for every container: not attempted`;
    }
  }
  throw ApplicationFailure.nonRetryable(
    `${asked(f)} is not supported: containers share the host kernel's wall clock and Linux time namespaces do not cover CLOCK_REALTIME, so one container's clock cannot be skewed (${shown}). ` +
      'Instead put libfaketime in the target\'s image (LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME="+5m") or run the target in a VM.',
    ErrorType.Unsupported,
  );
}
