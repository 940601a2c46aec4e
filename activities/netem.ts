// The network-fault sidecar: a drill/netem container in the target's network namespace (NetworkMode
// container:<target>, CAP_NET_ADMIN), labelled with the drill so teardown removes it, named after the
// drill and the fault key. It runs tc and iptables there, measures from there (ping, a UDP burst),
// and keeps what a heal on another worker needs: its labels (which networks a partition cut) and a
// state file (the baseline measured before the fault, which shaping engine was used).
import { createHash } from 'node:crypto';
import Docker from 'dockerode';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import type { FaultSpec } from '../model/fault.js';
import { RUN_LABEL, resourceName } from './names.js';
import { type Exec, noEffect, run, safeKey, sh } from './fault-kit.js';
import { type Target, drillTarget, isConflict, isNotFound, isNotModified } from './containers.js';

export const NETEM_IMAGE = 'drill/netem:latest';
export const FAULT_LABEL = 'drill.fault';
export const NETWORKS_LABEL = 'drill.fault.networks';
const STATE = '/tmp/drill-fault.json';

export type Side = { container: Docker.Container; info: Docker.ContainerInspectInfo };
export type NetState = { baseline?: number; probe?: Probe; engine?: 'netem' | 'user'; appliedAt?: number; lookup?: string; [k: string]: unknown };
export type Probe = { ip: string; name: string; network: string };
export type Iface = { name: string; ip: string };

/** Everything a network fault works with: the target, its sidecar's name, the key as tag/handle. */
export type NetCtx = { docker: Docker; drillId: string; key: string; f: FaultSpec; t: Target; tag: string; comment: string; handle: number; sideName: string };

export function netCtx(docker: Docker, drillId: string, key: string, f: FaultSpec, t: Target): NetCtx {
  const tag = safeKey(drillId, key);
  // One 16-bit number per fault: the tc handle of its qdisc and the NFQUEUE number of its shaper.
  const handle = 0x100 + (createHash('sha1').update(`${drillId}/${key}`).digest().readUInt16BE(0) % 0xfe00);
  return { docker, drillId, key, f, t, tag, comment: `drill-fault:${tag}`.slice(0, 250), handle, sideName: resourceName(drillId, `fault-${tag}`) };
}

export async function findSidecar(c: NetCtx): Promise<Side | null> {
  const container = c.docker.getContainer(c.sideName);
  try {
    const info = await container.inspect();
    if (info.Config.Labels?.[RUN_LABEL] !== c.drillId) throw ApplicationFailure.nonRetryable(`container ${c.sideName} is not labelled ${RUN_LABEL}=${c.drillId}; refusing to use it`, ErrorType.Unlabelled);
    return { container, info };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/**
 * The fault's sidecar, created or started as needed, in the target's current network namespace:
 * one that predates the target's last start sits in a namespace that no longer exists, and restarts.
 */
export async function ensureSidecar(c: NetCtx, labels: Record<string, string> = {}): Promise<Side> {
  let side = await findSidecar(c);
  if (side && side.info.HostConfig.NetworkMode !== `container:${c.t.info.Id}`) {
    await side.container.remove({ force: true }).catch((e) => { if (!isNotFound(e)) throw e; });
    side = null;
  }
  if (!side) {
    try {
      await c.docker.createContainer({
        name: c.sideName, Image: NETEM_IMAGE, Cmd: ['sleep', 'infinity'],
        Labels: { [RUN_LABEL]: c.drillId, [FAULT_LABEL]: c.key, 'drill.fault.target': c.f.target, ...labels },
        HostConfig: { NetworkMode: `container:${c.t.info.Id}`, CapAdd: ['NET_ADMIN'] },
      });
    } catch (err) {
      if (isNotFound(err)) throw ApplicationFailure.nonRetryable(`image ${NETEM_IMAGE} is not built; run \`npx drill setup\``, ErrorType.ImageMissing);
      if (!isConflict(err)) throw err;
    }
    side = (await findSidecar(c))!;
  }
  const stale = side.info.State.Running && Date.parse(side.info.State.StartedAt) < Date.parse(c.t.info.State.StartedAt);
  if (stale) await side.container.restart({ t: 0 });
  else if (!side.info.State.Running) await side.container.start().catch((e) => { if (!isNotModified(e)) throw e; });
  return { container: side.container, info: await side.container.inspect() };
}

export async function removeSidecar(c: NetCtx): Promise<void> {
  await c.docker.getContainer(c.sideName).remove({ force: true }).catch((e) => { if (!isNotFound(e)) throw e; });
}

export async function readState(c: NetCtx, side: Side): Promise<NetState> {
  const r = await run(c.docker, side.container, ['cat', STATE]);
  return r.code === 0 && r.out.trim() ? (JSON.parse(r.out) as NetState) : {};
}

export async function writeState(c: NetCtx, side: Side, s: NetState): Promise<void> {
  await sh(c.docker, side.container, 'printf %s "$1" > "$2.tmp" && mv "$2.tmp" "$2"', [JSON.stringify(s), STATE]);
}

export const exec = (c: NetCtx, side: Side, cmd: string[]): Promise<Exec> => run(c.docker, side.container, cmd);

/** The target's interfaces a fault acts on: the one holding its address on `network`, or every one but lo. */
export async function interfaces(c: NetCtx, side: Side): Promise<Iface[]> {
  const out = (await exec(c, side, ['ip', '-o', '-4', 'addr', 'show'])).out;
  const all = [...out.matchAll(/^\d+:\s+(\S+)\s+inet\s+([\d.]+)\//gm)].map((m) => ({ name: m[1]!.replace(/@.*/, ''), ip: m[2]! }));
  if (c.f.network === undefined) return all.filter((i) => i.name !== 'lo');
  const net = resourceName(c.drillId, c.f.network);
  const ip = c.t.info.NetworkSettings.Networks?.[net]?.IPAddress;
  if (!ip) throw noEffect(c.f, `${c.f.target} is not attached to network ${c.f.network} (${net})`);
  const found = all.filter((i) => i.ip === ip);
  if (found.length === 0) throw noEffect(c.f, `no interface of ${c.f.target} holds its address ${ip} on ${c.f.network}`);
  return found;
}

/** The drill networks a fault concerns: `network`, or every drill network the target is on. */
export function drillNetworks(c: NetCtx, info = c.t.info): string[] {
  const prefix = resourceName(c.drillId, '');
  const attached = Object.keys(info.NetworkSettings.Networks ?? {}).filter((n) => n.startsWith(prefix));
  return c.f.network === undefined ? attached : attached.filter((n) => n === resourceName(c.drillId, c.f.network!));
}

/** The peer's IPv4 addresses on every network it is on. */
export async function peerAddresses(c: NetCtx, peer: string): Promise<{ ip: string; network: string }[]> {
  const p = await drillTarget(c.docker, c.drillId, peer);
  return Object.entries(p.info.NetworkSettings.Networks ?? {}).filter(([, n]) => n.IPAddress).map(([network, n]) => ({ ip: n.IPAddress, network }));
}

/**
 * Whom to measure against on the fault's networks: `peer` if given, else another container there,
 * else the network's gateway (the host's side of the bridge). Null when there is none (or `peer`
 * shares no network with the target).
 */
export async function probeFor(c: NetCtx, networks = drillNetworks(c)): Promise<Probe | null> {
  const prefix = resourceName(c.drillId, '');
  if (c.f.peer !== undefined) {
    const addrs = await peerAddresses(c, c.f.peer);
    const shared = addrs.find((a) => networks.includes(a.network)) ?? addrs.find((a) => c.t.info.NetworkSettings.Networks?.[a.network]);
    return shared ? { ip: shared.ip, name: c.f.peer, network: shared.network } : null;
  }
  for (const network of networks) {
    // Another container of this drill on that network (never one without the drill's label), by name.
    const others = (await c.docker.listContainers({ filters: { label: [`${RUN_LABEL}=${c.drillId}`], network: [network], status: ['running'] } }))
      .filter((x) => x.Id !== c.t.info.Id && x.NetworkSettings?.Networks?.[network]?.IPAddress)
      .sort((a, b) => (a.Names[0] ?? '').localeCompare(b.Names[0] ?? ''));
    const other = others[0];
    if (other) return { ip: other.NetworkSettings.Networks[network]!.IPAddress, name: (other.Names[0] ?? '').replace(/^\//, '').replace(prefix, ''), network };
  }
  for (const network of networks) {
    const gw = (await c.docker.getNetwork(network).inspect()).IPAM?.Config?.[0]?.Gateway;
    if (gw) return { ip: gw, name: `the gateway of ${network.replace(resourceName(c.drillId, ''), '')}`, network };
  }
  return null;
}

export type Ping = { sent: number; received: number; dups: number; rtts: number[]; median: number | null };

/** `count` pings from the target's namespace, `intervalS` apart, each waiting up to `waitS`. */
export async function ping(c: NetCtx, side: Side, ip: string, count: number, intervalS: number, waitS = 1): Promise<Ping> {
  const r = await exec(c, side, ['ping', '-n', '-c', String(count), '-i', String(intervalS), '-W', String(waitS), ip]);
  const rtts = [...r.out.matchAll(/time=([\d.]+) ms(?! \(DUP!\))/g)].map((m) => Number(m[1]));
  const sent = Number(/(\d+) packets transmitted/.exec(r.out)?.[1] ?? count);
  const received = Number(/(\d+) received/.exec(r.out)?.[1] ?? 0);
  const dups = Number(/\+(\d+) duplicates/.exec(r.out)?.[1] ?? 0);
  const sorted = [...rtts].sort((a, b) => a - b);
  return { sent, received, dups, rtts, median: sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null };
}

export const lossPct = (p: Ping) => (p.sent ? Math.round(((p.sent - p.received) / p.sent) * 100) : 100);
export const ms = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : `${x < 10 ? x.toFixed(2) : x.toFixed(1)}ms`);

/** Deletes every iptables rule of the fault (by its comment), in every chain; how many there were. */
export async function dropRules(c: NetCtx, side: Side): Promise<number> {
  const out = await sh(c.docker, side.container, [
    'n=0; for t in filter; do',
    '  iptables -t "$t" -S 2>/dev/null | grep -F -- "--comment \\"$1\\"" | sed "s/^-A /-D /" > /tmp/drill-rules || true',
    '  while read -r line; do eval "iptables -t $t $line" && n=$((n+1)); done < /tmp/drill-rules',
    'done; echo $n',
  ].join('\n'), [c.comment]);
  return Number(out.trim()) || 0;
}

/**
 * Adds an iptables rule (argv after the chain) unless it is in place. DROP rules go first (`insert`):
 * a packet a user-space shaper's NFQUEUE rule accepts skips the rest of the chain.
 */
export async function ensureRule(c: NetCtx, side: Side, chain: string, rule: string[], insert = false): Promise<void> {
  const full = [chain, ...rule, '-m', 'comment', '--comment', c.comment];
  if ((await exec(c, side, ['iptables', '-C', ...full])).code === 0) return;
  const r = await exec(c, side, ['iptables', insert ? '-I' : '-A', ...full]);
  if (r.code !== 0) throw new Error(`iptables ${insert ? '-I' : '-A'} ${full.join(' ')}: ${r.err.trim()}`);
}

/** The fault's own root qdisc on an interface (by its handle), if one is there: its kind. */
export async function ownQdisc(c: NetCtx, side: Side, iface: string): Promise<string | null> {
  const out = (await exec(c, side, ['tc', 'qdisc', 'show', 'dev', iface, 'root'])).out;
  const m = new RegExp(`qdisc (\\S+) ${c.handle.toString(16)}: root`).exec(out);
  return m ? m[1]! : null;
}

/** Bytes the interface's root qdisc has sent. */
export async function qdiscSent(c: NetCtx, side: Side, iface: string): Promise<number> {
  const out = (await exec(c, side, ['tc', '-s', 'qdisc', 'show', 'dev', iface, 'root'])).out;
  return Number(/Sent (\d+) bytes/.exec(out)?.[1] ?? 0);
}

/**
 * What the interface's shaping lets through: a second of UDP at full speed to the probe (the ICMP
 * port-unreachable answers dropped meanwhile, so the sender is not stopped by them), bytes counted
 * by the qdisc. Bits per second.
 */
export async function throughput(c: NetCtx, side: Side, iface: string, ip: string): Promise<number> {
  const rule = ['-p', 'icmp', '--icmp-type', 'port-unreachable', '-j', 'DROP'];
  await ensureRule(c, side, 'INPUT', rule, true);
  try {
    const b0 = await qdiscSent(c, side, iface);
    const t0 = performance.now();
    await exec(c, side, ['timeout', '1', 'sh', '-c', `exec nc -u ${ip} 9 < /dev/zero`]);
    const b1 = await qdiscSent(c, side, iface);
    return ((b1 - b0) * 8) / ((performance.now() - t0) / 1000);
  } finally {
    await exec(c, side, ['iptables', '-D', 'INPUT', ...rule, '-m', 'comment', '--comment', c.comment]);
  }
}

/** Rate strings of the schema (512kbit, 10mbit, 1gbit) in bits per second. */
export function rateBits(rate: string): number {
  const m = /^(\d+)(kbit|mbit|gbit)$/.exec(rate);
  if (!m) throw ApplicationFailure.nonRetryable(`bandwidth rate "${rate}" is not like 512kbit, 10mbit`, ErrorType.BadFault);
  return Number(m[1]) * { kbit: 1e3, mbit: 1e6, gbit: 1e9 }[m[2] as 'kbit'];
}

export const fmtRate = (bits: number) => (bits >= 1e9 ? `${(bits / 1e9).toFixed(2)}gbit/s` : bits >= 1e6 ? `${(bits / 1e6).toFixed(2)}mbit/s` : `${(bits / 1e3).toFixed(0)}kbit/s`);
