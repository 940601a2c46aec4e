// partition: the target disconnected from its drill networks through the engine, where the other
// network faults shape traffic from a sidecar (activities/network-faults.ts). The sidecar still
// serves here: it keeps the networks to reconnect, and measures from the target's namespace.
import type { FaultEffect, FaultHeal } from '../model/fault.js';
import { noEffect, waitFor } from './fault-kit.js';
import { resourceName } from './names.js';
import { NETWORKS_LABEL, type NetCtx, type Probe, drillNetworks, ensureSidecar, findSidecar, netCtx, ping, probeFor, readState, removeSidecar, writeState } from './netem.js';

/** A network's name as the scenario gives it, without the drill's prefix. */
const shortName = (c: NetCtx) => (n: string) => n.replace(resourceName(c.drillId, ''), '');

export async function partition(c: NetCtx): Promise<FaultEffect> {
  const f = c.f;
  const existing = await findSidecar(c);
  const recorded = existing?.info.Config.Labels?.[NETWORKS_LABEL];
  const nets: string[] = recorded ? JSON.parse(recorded) : drillNetworks(c);
  if (nets.length === 0) throw noEffect(f, `${f.target} is on ${f.network ? `no network ${f.network}` : 'no drill network'}`);
  // The networks to reconnect are recorded on the sidecar before any is cut: a heal on any worker finds them.
  const side = await ensureSidecar(c, { [NETWORKS_LABEL]: JSON.stringify(nets) });
  let s = await readState(c, side);
  if (s.probes === undefined) {
    const probes: (Probe & { before: number })[] = [];
    for (const n of nets) {
      const p = await probeFor(c, [n]);
      if (p) probes.push({ ...p, before: (await ping(c, side, p.ip, 2, 0.2)).received });
    }
    await writeState(c, side, (s = { probes }));
  }
  for (const n of nets) {
    if ((await c.t.container.inspect()).NetworkSettings.Networks?.[n]) {
      await c.docker.getNetwork(n).disconnect({ Container: c.t.info.Id, Force: true }).catch((e) => { if (![404, 409].includes(e.statusCode)) throw e; });
    }
  }
  if (s.appliedAt === undefined) await writeState(c, side, (s = { ...s, appliedAt: Date.now() }));
  const info = await c.t.container.inspect();
  const still = nets.filter((n) => info.NetworkSettings.Networks?.[n]);
  const short = shortName(c);
  if (still.length) throw noEffect(f, `still attached to ${still.map(short).join(', ')}`);
  const checks: string[] = [];
  for (const p of s.probes as (Probe & { before: number })[]) {
    const after = await ping(c, side, p.ip, 2, 0.2);
    checks.push(`ping ${p.name} ${p.before}/2 → ${after.received}/2`);
    if (after.received > 0) throw noEffect(f, `disconnected from ${short(p.network)}, yet ${p.name} (${p.ip}) still answers`);
  }
  return { effectAt: s.appliedAt!, evidence: `disconnected from ${nets.map(short).join(', ')}${checks.length ? `; ${checks.join(', ')}` : ''}` };
}

export async function healPartition(c: NetCtx): Promise<FaultHeal> {
  const f = c.f;
  const side = await findSidecar(c);
  const recorded = side?.info.Config.Labels?.[NETWORKS_LABEL];
  if (!recorded) {
    await removeSidecar(c);
    return { healedAt: Date.now(), evidence: `not in place: no record of networks cut from ${f.target} by this fault` };
  }
  const nets: string[] = JSON.parse(recorded);
  const short = shortName(c);
  const done: string[] = [];
  for (const n of nets) {
    if ((await c.t.container.inspect()).NetworkSettings.Networks?.[n]) continue;
    try {
      await c.docker.getNetwork(n).connect({ Container: c.t.info.Id, EndpointConfig: { Aliases: [f.target] } });
      done.push(short(n));
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
  }
  const info = await c.t.container.inspect();
  const missing = nets.filter((n) => !info.NetworkSettings.Networks?.[n]);
  const healedAt = Date.now();
  let evidence = done.length ? `reconnected to ${done.join(', ')} as "${f.target}"` : `already attached to ${nets.map(short).join(', ')}`;
  if (missing.length) evidence += `; ${missing.map(short).join(', ')} no longer exist(s)`;
  if (info.State.Running) {
    const fresh = netCtx(c.docker, c.drillId, c.key, f, { container: c.t.container, info });
    const probeSide = await ensureSidecar(fresh);
    const answers: string[] = [];
    for (const n of nets.filter((x) => !missing.includes(x))) {
      const p = await probeFor(fresh, [n]);
      if (!p) continue;
      const got = await waitFor(5000, async () => ((await ping(fresh, probeSide, p.ip, 1, 0.2)).received > 0 ? true : undefined), 200);
      if (!got) throw new Error(`partition heal: reconnected to ${short(n)}, but ${p.name} (${p.ip}) does not answer`);
      answers.push(p.name);
    }
    if (answers.length) evidence += `; ${answers.join(', ')} answer(s) ping again`;
  } else {
    evidence += ` (${f.target} is not running: reachability not measured)`;
  }
  await removeSidecar(c);
  return { healedAt, evidence };
}
