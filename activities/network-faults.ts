// Network faults (partition aside: activities/partition.ts), injected from a sidecar in the target's
// network namespace (activities/netem.ts) and verified by measuring from there: round-trip times, ping
// loss and duplicates, a UDP burst's rate, a peer that stops answering, a name that stops resolving.
// Each injection checks what is in place before changing anything, so a retry after a worker crash
// finds its fault and only verifies; the baseline measured before the fault is kept in the sidecar for
// the verification and the heal.
// Kernels without sch_netem get the same faults from drill-shape (NFQUEUE, user space).
import Docker from 'dockerode';
import type { FaultEffect, FaultHeal, FaultSpec } from '../model/fault.js';
import { noEffect, requireRunning, run, waitFor } from './fault-kit.js';
import { drillTarget } from './containers.js';
import { resourceName } from './names.js';
import { healPartition, partition } from './partition.js';
import {
  type Iface, type NetCtx, type NetState, type Ping, type Probe, type Side, dropRules, drillNetworks, ensureRule, ensureSidecar, exec,
  findSidecar, fmtRate, interfaces, lossPct, ms, netCtx, ownQdisc, peerAddresses, ping, probeFor, rateBits, readState, removeSidecar, throughput, writeState,
} from './netem.js';

const SHAPED = new Set(['latency', 'loss', 'corrupt', 'duplicate']);
const USER_NOTE = ' [user-space netem: this kernel has no sch_netem]';

export async function injectNetwork(docker: Docker, drillId: string, key: string, f: FaultSpec): Promise<FaultEffect> {
  const t = await drillTarget(docker, drillId, f.target);
  requireRunning(f, t);
  const c = netCtx(docker, drillId, key, f, t);
  if (f.type === 'partition') return partition(c);
  const side = await ensureSidecar(c);
  let s = await readState(c, side);
  if (f.type === 'dns') return dns(c, side, s);
  const ifaces = f.type === 'partition-pair' ? [] : await interfaces(c, side);
  if (f.type !== 'partition-pair' && ifaces.length === 0) throw noEffect(f, `${f.target} has no network interface but lo`);
  if (s.probe === undefined) {
    // Before anything changes: whom to measure against, and what that looks like without the fault.
    const probe = await probeFor(c);
    if (!probe) throw noEffect(f, f.peer !== undefined ? `${f.peer} shares no network with ${f.target}` : `${f.target} has no peer, and no gateway, on ${f.network ?? 'its networks'} to measure against`);
    const before = await measure(c, side, probe.ip);
    if (before.received === 0 && f.type !== 'bandwidth') throw noEffect(f, `${probe.name} (${probe.ip}) does not answer ping even before the fault; nothing to measure against`);
    s = { probe, baseline: before.median ?? undefined, baseLoss: lossPct(before), baseDups: before.dups };
    await writeState(c, side, s);
  }
  const probe = s.probe!;
  if (f.type === 'partition-pair') {
    for (const a of await peerAddresses(c, f.peer!)) {
      await ensureRule(c, side, 'OUTPUT', ['-d', a.ip, '-j', 'DROP'], true);
      await ensureRule(c, side, 'INPUT', ['-s', a.ip, '-j', 'DROP'], true);
    }
  } else if (f.type === 'bandwidth') {
    for (const i of ifaces) await addTbf(c, side, i);
  } else {
    s.engine = await addShaping(c, side, ifaces, s.engine);
  }
  if (s.appliedAt === undefined) await writeState(c, side, (s = { ...s, appliedAt: Date.now() }));
  const effectAt = s.appliedAt!;
  const after = await measure(c, side, probe.ip);
  const note = s.engine === 'user' ? USER_NOTE : '';
  switch (f.type) {
    case 'partition-pair': {
      const evidence = `ping ${f.target} → ${f.peer} (${probe.ip}) ${100 - Number(s.baseLoss)}% → ${100 - lossPct(after)}% answered`;
      if (after.received > 0) throw noEffect(f, evidence);
      return { effectAt, evidence: `${evidence}; dropped both ways` };
    }
    case 'latency': {
      const added = (after.median ?? 0) - (s.baseline ?? 0);
      const evidence = `rtt to ${probe.name} ${ms(s.baseline)} → ${ms(after.median)} (asked ${f.delayMs}ms${f.jitterMs ? ` ±${f.jitterMs}ms` : ''})${note}`;
      if (after.median === null || added < 0.7 * (f.delayMs ?? 0)) throw noEffect(f, `${evidence}; added ${ms(added)}, less than 70% of it${await shadowedBy(c, side)}`);
      return { effectAt, evidence };
    }
    case 'loss': case 'corrupt': {
      const evidence = `${after.sent} pings to ${probe.name}: ${s.baseLoss}% → ${lossPct(after)}% lost (asked ${f.packets}%${f.type === 'corrupt' ? ' corrupted: they fail their checksum and are dropped' : ''})${note}`;
      if (lossPct(after) <= Number(s.baseLoss) && ((f.packets ?? 0) * after.sent) / 100 >= 3) throw noEffect(f, `${evidence}${await shadowedBy(c, side)}`);
      return { effectAt, evidence };
    }
    case 'duplicate': {
      const evidence = `${after.sent} pings to ${probe.name}: ${s.baseDups} → ${after.dups} duplicate replies (asked ${f.packets}%)${note}`;
      if (after.dups <= Number(s.baseDups) && ((f.packets ?? 0) * after.sent) / 100 >= 3) throw noEffect(f, `${evidence}${await shadowedBy(c, side)}`);
      return { effectAt, evidence };
    }
    default: {
      const asked = rateBits(f.rate!);
      const i = ifaceTo(c, ifaces, probe);
      const bps = await throughput(c, side, i.name, probe.ip);
      const evidence = `tbf ${f.rate} on ${ifaces.map((x) => x.name).join(', ')}; a 1 s UDP burst to ${probe.name} went out at ${fmtRate(bps)} (asked ${fmtRate(asked)})`;
      if (bps > 1.5 * asked) throw noEffect(f, evidence);
      return { effectAt, evidence };
    }
  }
}

/** How each fault is measured: a short ping series for delay, a burst for loss and duplicates. */
function measure(c: NetCtx, side: Side, ip: string): Promise<Ping> {
  const f = c.f;
  if (f.type === 'latency') return ping(c, side, ip, 7, 0.1, Math.ceil(((f.delayMs ?? 0) + (f.jitterMs ?? 0)) / 1000) + 1);
  if (f.type === 'loss' || f.type === 'corrupt' || f.type === 'duplicate') return ping(c, side, ip, 100, 0.01);
  return ping(c, side, ip, 3, 0.2);
}

function ifaceTo(c: NetCtx, ifaces: Iface[], probe: Probe): Iface {
  const ip = c.t.info.NetworkSettings.Networks?.[probe.network]?.IPAddress;
  return ifaces.find((i) => i.ip === ip) ?? ifaces[0]!;
}

async function addTbf(c: NetCtx, side: Side, i: Iface): Promise<void> {
  if ((await ownQdisc(c, side, i.name)) === 'tbf') return;
  const bits = rateBits(c.f.rate!);
  const burst = Math.max(3000, Math.round((bits / 8) * 0.02));
  const r = await exec(c, side, ['tc', 'qdisc', 'add', 'dev', i.name, 'root', 'handle', `${c.handle.toString(16)}:`, 'tbf', 'rate', c.f.rate!, 'burst', String(burst), 'latency', '200ms']);
  if (r.code !== 0) throw await qdiscRefused(c, side, i, r.err);
}

/** One root qdisc per interface: a second shaping fault there cannot take effect; say whose is there. */
async function qdiscRefused(c: NetCtx, side: Side, i: Iface, err: string): Promise<Error> {
  const root = (await exec(c, side, ['tc', 'qdisc', 'show', 'dev', i.name, 'root'])).out.trim();
  if (/exclusivity|exists/i.test(err)) return noEffect(c.f, `${i.name} already has a root qdisc (${root}), another fault's; tc shaping faults on one interface do not stack`);
  return new Error(`tc qdisc add dev ${i.name} root: ${err.trim()}`);
}

/** In user space, the first NFQUEUE rule on the chain takes the packet: another shaping fault's hides ours. */
async function shadowedBy(c: NetCtx, side: Side): Promise<string> {
  const rules = (await exec(c, side, ['iptables', '-S', 'OUTPUT'])).out.split('\n').filter((l) => l.includes('NFQUEUE'));
  const first = rules.findIndex((l) => l.includes(`"${c.comment}"`) || l.includes(` ${c.comment} `));
  const before = rules.slice(0, Math.max(0, first)).map((l) => /--comment "?([^" ]+)/.exec(l)?.[1]).filter(Boolean);
  return before.length ? `; another shaping fault (${before.join(', ')}) is first on this interface, and user-space shaping faults do not stack` : '';
}

function netemArgs(f: FaultSpec): string[] {
  if (f.type === 'latency') return ['delay', `${f.delayMs ?? 0}ms`, ...(f.jitterMs ? [`${f.jitterMs}ms`] : [])];
  return [f.type, `${f.packets ?? 0}%`];
}

/** netem on each interface; where the kernel has none, drill-shape behind an NFQUEUE rule. */
async function addShaping(c: NetCtx, side: Side, ifaces: Iface[], engine: NetState['engine']): Promise<'netem' | 'user'> {
  for (const i of ifaces) {
    if ((await ownQdisc(c, side, i.name)) === 'netem') { engine = 'netem'; continue; }
    if (engine !== 'user') {
      const r = await exec(c, side, ['tc', 'qdisc', 'add', 'dev', i.name, 'root', 'handle', `${c.handle.toString(16)}:`, 'netem', ...netemArgs(c.f)]);
      if (r.code === 0) { engine = 'netem'; continue; }
      if (!/unknown|not supported|no such file/i.test(r.err)) throw await qdiscRefused(c, side, i, r.err);
      engine = 'user';
    }
    await ensureShaper(c, side);
    await ensureRule(c, side, 'OUTPUT', ['-o', i.name, '-m', 'mark', '!', '--mark', '0xd1', '-j', 'NFQUEUE', '--queue-num', String(c.handle), '--queue-bypass']);
  }
  return engine ?? 'netem';
}

async function ensureShaper(c: NetCtx, side: Side): Promise<void> {
  const f = c.f;
  const pct = (t: string) => String(f.type === t ? f.packets ?? 0 : 0);
  const argv = [String(c.handle), String((f.type === 'latency' ? f.delayMs ?? 0 : 0) * 1000), String((f.type === 'latency' ? f.jitterMs ?? 0 : 0) * 1000), pct('loss'), pct('corrupt'), pct('duplicate')];
  const script = 'pgrep -f "^drill-shape $1 " >/dev/null || (setsid drill-shape "$@" >/tmp/drill-shape.log 2>&1 </dev/null &)';
  await exec(c, side, ['sh', '-c', script, 'drill-shape', ...argv]);
  const bound = await waitFor(3000, async () => ((await exec(c, side, ['cat', '/tmp/drill-shape.log'])).out.includes('drill-shape: queue') ? true : undefined));
  if (!bound) throw new Error(`drill-shape did not start: ${(await exec(c, side, ['cat', '/tmp/drill-shape.log'])).out.trim()}`);
}

async function lookup(c: NetCtx, side: Side, name: string): Promise<{ ok: boolean; out: string }> {
  const env = ['RES_OPTIONS=timeout:1 attempts:1'];
  let r = await run(c.docker, c.t.container, ['getent', 'hosts', name], { env });
  if (r.code === 126 || r.code === 127) r = await run(c.docker, side.container, ['getent', 'hosts', name], { env });
  return { ok: r.code === 0 && r.out.trim() !== '', out: (r.out.trim().split('\n')[0] ?? '').replace(/\s+/g, ' ') || `exit ${r.code}` };
}

async function dns(c: NetCtx, side: Side, s: NetState): Promise<FaultEffect> {
  const f = c.f;
  if (s.lookup === undefined) {
    const probe = await probeFor(c);
    const name = f.peer !== undefined ? resourceName(c.drillId, f.peer) : probe && !probe.name.startsWith('the gateway') ? resourceName(c.drillId, probe.name) : c.t.info.Name.replace(/^\//, '');
    const before = await lookup(c, side, name);
    if (!before.ok) throw noEffect(f, `${name} does not resolve in ${f.target} even before the fault`);
    await writeState(c, side, (s = { lookup: name, before: before.out }));
  }
  await ensureRule(c, side, 'OUTPUT', ['-d', '127.0.0.11', '-j', 'DROP'], true);
  if (s.appliedAt === undefined) await writeState(c, side, (s = { ...s, appliedAt: Date.now() }));
  const after = await lookup(c, side, s.lookup!);
  const evidence = `getent hosts ${s.lookup} in ${f.target}: "${s.before}" → ${after.ok ? `"${after.out}"` : 'fails'}`;
  if (after.ok) throw noEffect(f, `${evidence} (does it use Docker's DNS at 127.0.0.11?)`);
  return { effectAt: s.appliedAt!, evidence };
}

export async function healNetwork(docker: Docker, drillId: string, key: string, f: FaultSpec): Promise<FaultHeal> {
  const t = await drillTarget(docker, drillId, f.target, true);
  if (!t) {
    const gone = netCtx(docker, drillId, key, f, { container: docker.getContainer(resourceName(drillId, f.target)), info: { Id: '' } as Docker.ContainerInspectInfo });
    await removeSidecar(gone);
    return { healedAt: Date.now(), evidence: `${f.target} no longer exists; nothing to heal` };
  }
  const c = netCtx(docker, drillId, key, f, t);
  if (f.type === 'partition') return healPartition(c);
  if (!t.info.State.Running) {
    await removeSidecar(c);
    return { healedAt: Date.now(), evidence: `${f.target} is not running: its network namespace, and the fault with it, is gone` };
  }
  const existed = (await findSidecar(c)) !== null;
  const side = await ensureSidecar(c);
  const s = await readState(c, side);
  let removed = await dropRules(c, side);
  const ifaces = (await exec(c, side, ['ls', '/sys/class/net'])).out.split(/\s+/).filter((n) => n && n !== 'lo');
  for (const i of ifaces) {
    if ((await ownQdisc(c, side, i)) !== null) {
      await exec(c, side, ['tc', 'qdisc', 'del', 'dev', i, 'root']);
      removed++;
    }
  }
  await exec(c, side, ['pkill', '-f', `^drill-shape ${c.handle} `]);
  const healedAt = Date.now();
  if (removed === 0) {
    await removeSidecar(c);
    return { healedAt, evidence: `not in place: no qdisc or rule of this fault on ${f.target}${existed ? '' : ' (never injected)'}` };
  }
  // Gone for certain: listed again, none of this fault's rules or qdiscs is left.
  const left = (await dropRules(c, side)) + (await Promise.all(ifaces.map((i) => ownQdisc(c, side, i)))).filter((q) => q !== null).length;
  if (left > 0) throw new Error(`${f.type} heal: ${left} rule(s)/qdisc(s) of this fault came back on ${f.target}`);
  let evidence = `removed ${removed} rule(s)/qdisc(s)`;
  // The probe the injection measured against, if it still answers, else whoever does now.
  let p = s.probe;
  let after = p ? await measure(c, side, p.ip) : null;
  if (f.type !== 'dns' && (!after || after.received === 0)) {
    const now = await probeFor(c, drillNetworks(c)).catch(() => null);
    if (now && now.ip !== p?.ip) [p, after] = [now, await measure(c, side, now.ip)];
  }
  if (f.type === 'dns' && s.lookup !== undefined) {
    const r = await lookup(c, side, s.lookup);
    if (!r.ok) throw new Error(`dns heal: ${s.lookup} still does not resolve in ${f.target}`);
    evidence = `getent hosts ${s.lookup} resolves again: "${r.out}"`;
  } else if (p && after && after.received === 0) {
    evidence += `; not measured: ${p.name} (${p.ip}) does not answer${f.type === 'partition-pair' ? ' (is it still running?)' : ''}`;
  } else if (p && after) {
    if (f.type === 'partition-pair') {
      evidence = `ping ${f.target} → ${p.name} answered again (${after.received}/${after.sent})`;
    } else if (f.type === 'latency') {
      const base = p.ip === s.probe?.ip ? s.baseline ?? 0 : 0;
      if (after.median! - base > Math.max(2, 0.3 * (f.delayMs ?? 0))) throw new Error(`latency heal: rtt to ${p.name} still ${ms(after.median)} (baseline ${ms(base)})`);
      evidence = `rtt to ${p.name} back to ${ms(after.median)} (baseline ${ms(s.baseline)})`;
    } else if (SHAPED.has(f.type)) {
      if (lossPct(after) > Number(s.baseLoss ?? 0) + 3 || after.dups > Number(s.baseDups ?? 0) + 1) throw new Error(`${f.type} heal: ${lossPct(after)}% lost, ${after.dups} duplicates to ${p.name} still`);
      evidence = `${after.sent} pings to ${p.name}: ${lossPct(after)}% lost, ${after.dups} duplicates (before the fault: ${s.baseLoss ?? '?'}%, ${s.baseDups ?? '?'})`;
    } else {
      evidence = `tbf removed from ${ifaces.join(', ')}; ${p.name} answers (${after.received}/${after.sent})`;
    }
  }
  await removeSidecar(c);
  return { healedAt, evidence };
}
