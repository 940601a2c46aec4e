// Reads a scenario file and refuses it, before anything runs, with errors that say where and what:
// `file:line:col field: message`. Nothing here touches Docker or Temporal.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { scenarioSchema, type Scenario } from './scenario.js';
import { parseDuration } from './duration.js';
import { faultFindings } from './fault.js';
import { isPeopleKind } from './spec.js';

export type ScenarioError = { file: string; line: number; col: number; field: string; message: string };
export type Validated = { ok: true; scenario: Scenario; file: string } | { ok: false; errors: ScenarioError[]; file: string };

export function formatError(e: ScenarioError): string {
  return `${e.file}:${e.line}:${e.col} ${e.field || '(scenario)'}: ${e.message}`;
}

/** A node's path in the scenario document, as zod reports it: `['objectives', 0, 'rto']`. */
export type Path = (string | number)[];
export type Position = { line: number; col: number };
/** `objectives[0].rto`: how errors (and lint findings) name a field. */
export const fieldName = (path: Path) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');

export async function validateScenarioFile(file: string): Promise<Validated> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, file, errors: [{ file, line: 1, col: 1, field: '', message: `cannot read file: ${(err as Error).message}` }] };
  }
  return validateScenarioText(text, file);
}

export function validateScenarioText(text: string, file = '<scenario>'): Validated {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lines.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false, file,
      errors: doc.errors.map((e) => ({ file, ...at(e.pos[0]), field: '', message: `YAML: ${e.message.split('\n')[0]}` })),
    };
  }
  const locate = (path: Path) => locatePath(doc, path, at);
  const parsed = scenarioSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      // An unknown key is reported on the key itself, not its parent object.
      if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
        const key = issue.keys[0]!;
        return { file, ...locateKey(doc, path, key, at), field: fieldName([...path, key]), message: issue.message };
      }
      return { file, ...locate(path), field: fieldName(path), message: issue.message };
    });
    return { ok: false, file, errors };
  }
  const errors = crossCheck(parsed.data, doc.toJS()).map(({ path, message }) => ({
    file, ...locate(path), field: fieldName(path), message,
  }));
  return errors.length > 0 ? { ok: false, file, errors } : { ok: true, file, scenario: parsed.data };
}

/**
 * The position finder validation uses, for checks that run later on a valid scenario (`drill lint`),
 * so their findings point where a validation error on the same path would.
 */
export function scenarioLocator(text: string): (path: Path) => Position {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return (path) => locatePath(doc, path, (o) => lines.linePos(o));
}

/** Position of the deepest node on `path` that exists (a missing field points at its parent). */
function locatePath(doc: Document, path: Path, at: (o: number) => { line: number; col: number }) {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return at(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** Position of a key itself (for a field that should not be there). */
function locateKey(doc: Document, parent: Path, key: string, at: (o: number) => { line: number; col: number }) {
  const map = doc.getIn(parent, true);
  if (isMap(map)) {
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
  }
  return locatePath(doc, parent, at);
}

type Finding = { path: Path; message: string };

/** Rules the schema cannot express: references, uniqueness, durations, ordering. */
function crossCheck(s: Scenario, raw: any): Finding[] {
  const out: Finding[] = [];
  const containers = new Set(Object.keys(s.topology.containers));
  const networks = new Set(s.topology.networks);
  const volumes = new Set(s.topology.volumes);
  const probes = new Set(Object.keys(s.probes));

  const checkDuration = (path: Path, value: unknown) => {
    if (typeof value !== 'string') return;
    const ms = parseDuration(value);
    if (typeof ms !== 'number') out.push({ path, message: ms.error });
  };
  const checkContainer = (path: Path, c: string) => {
    if (!containers.has(c)) out.push({ path, message: `no container "${c}" in the topology (have: ${[...containers].join(', ')})` });
  };

  const sites = new Set(Object.values(s.topology.containers).flatMap((c) => (c.site === undefined ? [] : [c.site])));
  const sshHosts = [...Object.entries(s.topology.containers).filter(([, c]) => c.ssh).map(([n]) => n), ...Object.keys(s.hosts)];
  // Only a container of the topology (labelled with the drill) or a host listed under `hosts` is ever touched.
  const checkSshHost = (path: Path, h: string) => {
    if (s.topology.containers[h] && !s.topology.containers[h].ssh) out.push({ path, message: `container "${h}" is not an SSH host (give it \`ssh: { user: ... }\` in the topology)` });
    else if (!s.topology.containers[h] && !s.hosts[h]) out.push({ path, message: `no SSH host "${h}": name a container of the topology with \`ssh\`, or list the host under \`hosts\` (have: ${sshHosts.join(', ') || 'none'})` });
  };
  for (const h of Object.keys(s.hosts)) if (containers.has(h)) out.push({ path: ['hosts', h], message: `"${h}" is already a container of the topology; an external host needs its own name` });
  for (const [name, c] of Object.entries(s.topology.containers)) {
    if (c.ssh && !c.ports.includes(c.ssh.port)) out.push({ path: ['topology', 'containers', name, 'ssh', 'port'], message: `an SSH host must publish its SSH port: add ${c.ssh.port} to ports` });
    if (c.ssh && !c.start) out.push({ path: ['topology', 'containers', name, 'start'], message: 'an SSH host must run from the start: its host key is pinned when the topology comes up' });
    c.networks.forEach((n, i) => { if (!networks.has(n)) out.push({ path: ['topology', 'containers', name, 'networks', i], message: `no network "${n}" in topology.networks` }); });
    for (const v of Object.keys(c.volumes)) if (!volumes.has(v)) out.push({ path: ['topology', 'containers', name, 'volumes', v], message: `no volume "${v}" in topology.volumes` });
  }
  for (const [name, p] of Object.entries(s.probes)) {
    checkContainer(['probes', name, 'target', 'container'], p.target.container);
    const c = s.topology.containers[p.target.container];
    if (c && !c.ports.includes(p.target.port)) out.push({ path: ['probes', name, 'target', 'port'], message: `container "${p.target.container}" does not publish port ${p.target.port}` });
    for (const k of ['interval', 'sustain', 'timeout'] as const) checkDuration(['probes', name, k], raw?.probes?.[name]?.[k]);
    if (p.target.path !== undefined && p.target.protocol !== 'http') out.push({ path: ['probes', name, 'target', 'path'], message: 'a path applies to the http protocol only' });
    if (p.kind === 'ledger' && p.target.protocol === 'tcp') out.push({ path: ['probes', name, 'target', 'protocol'], message: 'a ledger writes records: use redis or http, not tcp' });
  }
  const systems = new Set(s.objectives.map((o) => o.system));
  s.objectives.forEach((o, i) => {
    checkDuration(['objectives', i, 'rto'], o.rto);
    checkDuration(['objectives', i, 'rpo'], o.rpo);
    checkDuration(['objectives', i, 'backupInterval'], o.backupInterval);
    o.usedBy?.forEach((u, k) => checkDuration(['objectives', i, 'usedBy', k, 'rto'], u.rto));
    o.dependsOn?.forEach((d, j) => {
      const path: Path = ['objectives', i, 'dependsOn', j];
      if (d === o.system) out.push({ path, message: `"${d}" cannot depend on itself` });
      else if (!systems.has(d)) out.push({ path, message: `no system "${d}" in objectives (have: ${[...systems].join(', ')})` });
    });
    if (s.probes[o.availability]?.kind !== 'availability') out.push({ path: ['objectives', i, 'availability'], message: `"${o.availability}" is not an availability probe` });
    if (o.ledger !== undefined && s.probes[o.ledger]?.kind !== 'ledger') out.push({ path: ['objectives', i, 'ledger'], message: `"${o.ledger}" is not a ledger probe` });
    if (o.from !== undefined && !s.steps.some((st) => st.id === o.from || (st.kind === 'parallel' && st.steps.some((c) => c.id === o.from)))) out.push({ path: ['objectives', i, 'from'], message: `no step "${o.from}" to measure from` });
  });

  const seen = new Map<string, string>();
  const t0Declared: string[] = [];
  // A parallel group's own steps are checked like any other, at their place inside the group.
  const flat = s.steps.flatMap((step, i) => [
    { step, path: ['steps', i] as Path, raw: raw?.steps?.[i] },
    ...(step.kind === 'parallel' ? step.steps.map((child, j) => ({ step: child, path: ['steps', i, 'steps', j] as Path, raw: raw?.steps?.[i]?.steps?.[j], inGroup: true })) : []),
  ]);
  for (const { step, path, raw: rawStep, inGroup } of flat as { step: Scenario['steps'][number]; path: Path; raw: any; inGroup?: boolean }[]) {
    if (seen.has(step.id)) out.push({ path: [...path, 'id'], message: `duplicate step id "${step.id}" (first at ${seen.get(step.id)})` });
    else seen.set(step.id, fieldName(path));
    for (const k of ['expected', 'timeout', 'for', 'escalateAfter', 'duration'] as const) checkDuration([...path, k], rawStep?.[k]);
    if (inGroup && isPeopleKind(step.kind)) out.push({ path: [...path, 'kind'], message: `a ${step.kind} step waits for people, one at a time: it cannot run inside a parallel group` });
    if (step.kind === 'manual' && step.verify !== undefined && s.probes[step.verify]?.kind !== 'availability') out.push({ path: [...path, 'verify'], message: `"${step.verify}" is not an availability probe` });
    const role = step.kind === 'gate' || step.kind === 'manual' ? step.role : undefined;
    if (role !== undefined && s.participants && !Object.values(s.participants).some((roles) => roles.includes(role))) {
      out.push({ path: [...path, 'role'], message: `no participant holds the role "${role}"` });
    }
    const action = step.kind === 'docker' || step.kind === 'fault' ? step.docker : step.kind === 'manual' ? step.auto : undefined;
    const ap: Path = [...path, step.kind === 'manual' ? 'auto' : 'docker'];
    if (action && 'host' in action) checkSshHost([...ap, 'host'], action.host);
    else if (action) {
      if ((action.target === undefined) === (action.site === undefined)) out.push({ path: ap, message: 'a Docker action names either a `target` container or a whole `site`, not both or neither' });
      if (action.target !== undefined) checkContainer([...ap, 'target'], action.target);
      if (action.site !== undefined && !sites.has(action.site)) {
        out.push({ path: [...ap, 'site'], message: `no container of the topology is in site "${action.site}"${sites.size ? ` (sites: ${[...sites].join(', ')})` : ' (give containers a `site`)'}` });
      }
      if (action.action === 'exec' && !action.command) out.push({ path: [...ap, 'command'], message: 'exec needs a command' });
      if ((action.action === 'connect' || action.action === 'disconnect')) {
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
      if (step.probe !== undefined && s.probes[step.probe]?.kind !== 'availability') out.push({ path: [...path, 'probe'], message: `"${step.probe}" is not an availability probe` });
    }
    if (step.kind === 'verify' && !probes.has(step.probe)) out.push({ path: [...path, 'probe'], message: `no probe "${step.probe}"` });
  }
  if (t0Declared.length > 1) out.push({ path: ['steps'], message: `only one fault may mark t0, and ${t0Declared.join(', ')} all say \`t0: true\`` });
  s.guardrails.forEach((g, i) => {
    checkDuration(['guardrails', i, 'tolerance'], raw?.guardrails?.[i]?.tolerance);
    if (s.probes[g.probe]?.kind !== 'availability') out.push({ path: ['guardrails', i, 'probe'], message: `"${g.probe}" is not an availability probe` });
  });
  return out;
}
