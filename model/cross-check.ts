// Rules of a scenario the schema cannot express: references between its parts, uniqueness, and what
// only makes sense together. Runs on a scenario zod accepted. Every name is looked up as the plan's own
// (never through an object's prototype), so `constructor` or `toString` names nothing undeclared.
import type { Scenario } from './scenario.js';
import { faultFindings, listed } from './fault.js';
import { dotSegments } from './disk-fill.js';
import { isPeopleKind } from './spec.js';
import { fieldName, type Path } from './scenario-path.js';

export type Finding = { path: Path; message: string };

/** The plan's own entry under a name, or undefined: never an inherited property such as `constructor`. */
const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

type Step = Scenario['steps'][number];
type Placed = { step: Step; path: Path; inGroup?: boolean };

export function crossCheck(s: Scenario): Finding[] {
  const out: Finding[] = [];
  // A parallel group's own steps are checked like any other, at their place inside the group.
  const flat: Placed[] = s.steps.flatMap((step, i) => [
    { step, path: ['steps', i] },
    ...(step.kind === 'parallel' ? step.steps.map((child, j): Placed => ({ step: child, path: ['steps', i, 'steps', j], inGroup: true })) : []),
  ]);
  topologyFindings(s, out);
  probeFindings(s, out);
  objectiveFindings(s, flat, out);
  stepFindings(s, flat, out);
  followUpFindings(s, flat, out);
  s.guardrails.forEach((g, i) => {
    if (own(s.probes, g.probe)?.kind !== 'availability') out.push({ path: ['guardrails', i, 'probe'], message: `"${g.probe}" is not an availability probe` });
  });
  return out;
}

function topologyFindings(s: Scenario, out: Finding[]) {
  const networks = new Set(s.topology.networks);
  const volumes = new Set(s.topology.volumes);
  for (const h of Object.keys(s.hosts)) if (Object.hasOwn(s.topology.containers, h)) out.push({ path: ['hosts', h], message: `"${h}" is already a container of the topology; an external host needs its own name` });
  for (const [name, c] of Object.entries(s.topology.containers)) {
    const at: Path = ['topology', 'containers', name];
    if (c.ssh && !c.ports.includes(c.ssh.port)) out.push({ path: [...at, 'ssh', 'port'], message: `an SSH host must publish its SSH port: add ${c.ssh.port} to ports` });
    if (c.ssh && !c.start) out.push({ path: [...at, 'start'], message: 'an SSH host must run from the start: its host key is pinned when the topology comes up' });
    c.networks.forEach((n, i) => { if (!networks.has(n)) out.push({ path: [...at, 'networks', i], message: `no network "${n}" in topology.networks` }); });
    for (const [v, mount] of Object.entries(c.volumes)) {
      if (!volumes.has(v)) out.push({ path: [...at, 'volumes', v], message: `no volume "${v}" in topology.volumes` });
      else if (dotSegments(mount) !== null) out.push({ path: [...at, 'volumes', v], message: `"${mount}" is written with . or ..: write the mount path it means (${dotSegments(mount)})` });
    }
    for (const mount of Object.keys(c.tmpfs)) {
      if (dotSegments(mount) !== null) out.push({ path: [...at, 'tmpfs', mount], message: `"${mount}" is written with . or ..: write the mount path it means (${dotSegments(mount)})` });
    }
  }
}

function probeFindings(s: Scenario, out: Finding[]) {
  const names = Object.keys(s.topology.containers);
  for (const [name, p] of Object.entries(s.probes)) {
    const c = own(s.topology.containers, p.target.container);
    if (!c) out.push({ path: ['probes', name, 'target', 'container'], message: `no container "${p.target.container}" in the topology (have: ${listed(names)})` });
    else if (!c.ports.includes(p.target.port)) out.push({ path: ['probes', name, 'target', 'port'], message: `container "${p.target.container}" does not publish port ${p.target.port}` });
    if (p.target.path !== undefined && p.target.protocol !== 'http') out.push({ path: ['probes', name, 'target', 'path'], message: 'a path applies to the http protocol only' });
    if (p.kind === 'ledger' && p.target.protocol === 'tcp') out.push({ path: ['probes', name, 'target', 'protocol'], message: 'a ledger writes records: use redis or http, not tcp' });
  }
}

function objectiveFindings(s: Scenario, flat: Placed[], out: Finding[]) {
  const systems = new Set(s.objectives.map((o) => o.system));
  const stepIds = new Set(flat.map((p) => p.step.id));
  s.objectives.forEach((o, i) => {
    o.dependsOn?.forEach((d, j) => {
      const path: Path = ['objectives', i, 'dependsOn', j];
      if (d === o.system) out.push({ path, message: `"${d}" cannot depend on itself` });
      else if (!systems.has(d)) out.push({ path, message: `no system "${d}" in objectives (have: ${listed([...systems])})` });
    });
    if (own(s.probes, o.availability)?.kind !== 'availability') out.push({ path: ['objectives', i, 'availability'], message: `"${o.availability}" is not an availability probe` });
    if (o.ledger !== undefined && own(s.probes, o.ledger)?.kind !== 'ledger') out.push({ path: ['objectives', i, 'ledger'], message: `"${o.ledger}" is not a ledger probe` });
    if (o.from !== undefined && !stepIds.has(o.from)) out.push({ path: ['objectives', i, 'from'], message: `no step "${o.from}" to measure from` });
    if (o.dataCheck !== undefined && !stepIds.has(o.dataCheck)) out.push({ path: ['objectives', i, 'dataCheck'], message: `no step "${o.dataCheck}" to show the data back` });
  });
}

function stepFindings(s: Scenario, flat: Placed[], out: Finding[]) {
  const containers = new Set(Object.keys(s.topology.containers));
  const networks = new Set(s.topology.networks);
  const sites = new Set(Object.values(s.topology.containers).flatMap((c) => (c.site === undefined ? [] : [c.site])));
  const roles = new Set(Object.values(s.participants ?? {}).flat());
  const sshHosts = [...Object.entries(s.topology.containers).filter(([, c]) => c.ssh).map(([n]) => n), ...Object.keys(s.hosts)];
  // Only a container of the topology (labelled with the drill) or a host listed under `hosts` is ever touched.
  const checkSshHost = (path: Path, h: string) => {
    const c = own(s.topology.containers, h);
    if (c && !c.ssh) out.push({ path, message: `container "${h}" is not an SSH host (give it \`ssh: { user: ... }\` in the topology)` });
    else if (!c && !own(s.hosts, h)) out.push({ path, message: `no SSH host "${h}": name a container of the topology with \`ssh\`, or list the host under \`hosts\` (have: ${listed(sshHosts) || 'none'})` });
  };
  const seen = new Map<string, string>();
  const t0Declared: string[] = [];
  for (const { step, path, inGroup } of flat) {
    if (seen.has(step.id)) out.push({ path: [...path, 'id'], message: `duplicate step id "${step.id}" (first at ${seen.get(step.id)})` });
    else seen.set(step.id, fieldName(path));
    if (inGroup && isPeopleKind(step.kind)) out.push({ path: [...path, 'kind'], message: `a ${step.kind} step waits for people, one at a time: it cannot run inside a parallel group` });
    if (step.kind === 'manual' && step.verify !== undefined && own(s.probes, step.verify)?.kind !== 'availability') out.push({ path: [...path, 'verify'], message: `"${step.verify}" is not an availability probe` });
    const role = step.kind === 'gate' || step.kind === 'manual' ? step.role : undefined;
    if (role !== undefined && s.participants && !roles.has(role)) out.push({ path: [...path, 'role'], message: `no participant holds the role "${role}"` });
    const action = step.kind === 'docker' || step.kind === 'fault' ? step.docker : step.kind === 'manual' ? step.auto : undefined;
    const ap: Path = [...path, step.kind === 'manual' ? 'auto' : 'docker'];
    if (action && 'host' in action) checkSshHost([...ap, 'host'], action.host);
    else if (action) {
      if ((action.target === undefined) === (action.site === undefined)) out.push({ path: ap, message: 'a Docker action names either a `target` container or a whole `site`, not both or neither' });
      if (action.target !== undefined && !containers.has(action.target)) out.push({ path: [...ap, 'target'], message: `no container "${action.target}" in the topology (have: ${listed([...containers])})` });
      if (action.site !== undefined && !sites.has(action.site)) {
        out.push({ path: [...ap, 'site'], message: `no container of the topology is in site "${action.site}"${sites.size ? ` (sites: ${listed([...sites])})` : ' (give containers a `site`)'}` });
      }
      if (action.action === 'exec' && !action.command) out.push({ path: [...ap, 'command'], message: 'exec needs a command' });
      if (action.action === 'connect' || action.action === 'disconnect') {
        if (!action.network) out.push({ path: [...ap, 'network'], message: `${action.action} needs a network` });
        else if (!networks.has(action.network)) out.push({ path: [...ap, 'network'], message: `no network "${action.network}" in topology.networks` });
      }
    }
    if (step.kind === 'ssh') checkSshHost([...path, 'host'], step.host);
    if (step.kind === 'fault') {
      if ((step.docker === undefined) === (step.fault === undefined)) out.push({ path, message: 'a fault step takes either `fault` (from the library) or `docker` (an action), not both or neither' });
      if (step.docker !== undefined && (step.duration !== undefined || step.background)) out.push({ path: [...path, step.duration !== undefined ? 'duration' : 'background'], message: 'duration and background apply to a `fault` from the library, which the drill heals' });
      if (step.fault) out.push(...faultFindings(step.fault, s.topology, [...path, 'fault']));
      if (step.t0) t0Declared.push(fieldName(path));
    }
    if (step.kind === 'wait') {
      if ((step.for === undefined) === (step.probe === undefined)) out.push({ path, message: 'a wait step takes either `for` (a pause) or `probe` (until it holds), not both or neither' });
      if (step.probe !== undefined && own(s.probes, step.probe)?.kind !== 'availability') out.push({ path: [...path, 'probe'], message: `"${step.probe}" is not an availability probe` });
    }
    if (step.kind === 'verify' && !own(s.probes, step.probe)) out.push({ path: [...path, 'probe'], message: `no probe "${step.probe}"` });
  }
  if (t0Declared.length > 1) out.push({ path: ['steps'], message: `only one fault may mark t0, and ${t0Declared.join(', ')} all say \`t0: true\`` });
}

/** A follow-up is checked by the next drill at a step or an objective: both must be the plan's own. */
function followUpFindings(s: Scenario, flat: Placed[], out: Finding[]) {
  const steps = new Set(flat.map((p) => p.step.id));
  const systems = new Set(s.objectives.map((o) => o.system));
  const ids = new Map<string, number>();
  s.followUps?.forEach((f, i) => {
    const at: Path = ['followUps', i];
    if (ids.has(f.id)) out.push({ path: [...at, 'id'], message: `duplicate follow-up id "${f.id}" (first at followUps[${ids.get(f.id)}])` });
    else ids.set(f.id, i);
    if (f.step === undefined && f.objective === undefined) out.push({ path: at, message: 'a follow-up names the `step` or the `objective` the next drill checks it at' });
    if (f.step !== undefined && !steps.has(f.step)) out.push({ path: [...at, 'step'], message: `no step "${f.step}" in the plan: the next drill could never check this follow-up` });
    if (f.objective !== undefined && !systems.has(f.objective)) out.push({ path: [...at, 'objective'], message: `no objective for system "${f.objective}" (have: ${listed([...systems])})` });
    if (f.code !== undefined && f.step === undefined) out.push({ path: [...at, 'code'], message: 'a breakdown code is checked at a step: name the `step`' });
    if (f.measure !== undefined && f.objective === undefined) out.push({ path: [...at, 'measure'], message: 'a measure (rto, rpo) belongs to an objective: name the `objective`' });
  });
}
