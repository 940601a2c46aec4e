// A drill's plan resolved before anything runs: which containers each fault hits (seeded, so the
// workflow and a dry run choose alike), the blast radius, and every action with its resolved target
// (what `drill run --dry-run` prints). Pure: no Docker, no Temporal.
import { allSteps, isSshAction, type DockerAction, type DrillSpec, type StepSpec } from './spec.js';
import { choose, seededRandom } from './fault.js';
import { formatDuration } from './duration.js';

/** The containers of a Docker action: its target, or every container of its site. */
export function actionTargets(spec: Pick<DrillSpec, 'topology'>, a: DockerAction): string[] {
  if (a.target !== undefined) return [a.target];
  return Object.entries(spec.topology.containers).filter(([, c]) => c.site === a.site).map(([n]) => n);
}

/** Every fault step's chosen containers, in plan order, from one seeded sequence. */
export function planFaults(spec: DrillSpec, seed: number): Record<string, string[]> {
  const random = seededRandom(seed);
  const out: Record<string, string[]> = {};
  for (const s of allSteps(spec.steps)) {
    if (s.kind !== 'fault') continue;
    out[s.id] = s.fault ? choose(s.fault.select, spec.topology, random) : actionTargets(spec, s.docker!);
  }
  return out;
}

/** The containers the drill's faults touch, all together: what the blast radius limits. */
export function blastRadius(targets: Record<string, string[]>): string[] {
  return [...new Set(Object.values(targets).flat())].sort();
}

/** null when within the limit; otherwise why the drill must not start. */
export function blastRadiusExceeded(spec: DrillSpec, targets: Record<string, string[]>): string | null {
  const touched = blastRadius(targets);
  const max = spec.blastRadius?.maxContainers;
  if (max === undefined || touched.length <= max) return null;
  return `the faults would touch ${touched.length} containers (${touched.join(', ')}), more than blastRadius.maxContainers ${max}`;
}

function describe(spec: DrillSpec, s: StepSpec, targets: Record<string, string[]>): string {
  const d = (ms: number | undefined) => (ms === undefined ? '' : formatDuration(ms));
  switch (s.kind) {
    case 'docker': return `docker ${s.docker.action} on ${actionTargets(spec, s.docker).join(', ')}${s.docker.command ? `: ${s.docker.command.join(' ')}` : ''}`;
    case 'ssh': return `ssh ${s.host}: ${s.command}`;
    case 'fault': {
      const on = targets[s.id]!.join(', ');
      const what = s.fault ? `fault ${s.fault.type}` : `fault (docker ${s.docker!.action}${s.docker!.command ? `: ${s.docker!.command.join(' ')}` : ''})`;
      return `${what} on ${on}${s.durationMs !== undefined ? `, healed after ${d(s.durationMs)}` : ', healed when the drill ends'}${s.background ? ', in the background' : ''}`;
    }
    case 'wait': return s.forMs !== undefined ? `wait ${d(s.forMs)}` : `wait until ${s.probe} is ${s.until}`;
    case 'manual': return `manual: ${s.runbook}${s.auto ? ` (unattended: ${isSshAction(s.auto) ? `ssh ${s.auto.host}: ${s.auto.command}` : `docker ${s.auto.action} on ${actionTargets(spec, s.auto).join(', ')}`})` : ''}`;
    case 'gate': return `gate (${s.role}): ${s.decision}`;
    case 'notify': return `notify ${s.audience} (${s.to}): ${s.message}`;
    case 'verify': return `verify ${s.probe}`;
    case 'parallel': return `in parallel: ${s.steps.map((c) => c.id).join(', ')}`;
  }
}

/** What the drill would do, step by step, with every target resolved; nothing is touched. */
export function dryRun(spec: DrillSpec, seed: number): string[] {
  const targets = planFaults(spec, seed);
  const lines = [
    `drill ${spec.scenario} (dry run, seed ${seed}): ${Object.keys(spec.topology.containers).length} containers, ${spec.topology.networks.length} networks, ${spec.topology.volumes.length} volumes would be created`,
  ];
  const walk = (steps: StepSpec[], indent: string) => steps.forEach((s, i) => {
    lines.push(`${indent}${i + 1}. ${s.id}: ${describe(spec, s, targets)}`);
    if (s.kind === 'parallel') walk(s.steps, `${indent}   `);
  });
  walk(spec.steps, '  ');
  for (const g of spec.guardrails ?? []) lines.push(`  guardrail: ${g.probe} must hold throughout (tolerance ${formatDuration(g.toleranceMs)})`);
  const touched = blastRadius(targets);
  lines.push(`  blast radius: ${touched.length} container${touched.length === 1 ? '' : 's'}${touched.length ? ` (${touched.join(', ')})` : ''}${spec.blastRadius ? ` of at most ${spec.blastRadius.maxContainers}` : ''}`);
  const exceeded = blastRadiusExceeded(spec, targets);
  if (exceeded) lines.push(`  REFUSED: ${exceeded}`);
  return lines;
}
