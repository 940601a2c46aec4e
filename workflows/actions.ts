// The actions a step takes on the drill's systems: a Docker action on one container or a whole site,
// and an SSH command on a bastion of the topology or a listed host. Each names its activity call by
// drill and step, so a retry after a worker crash acts once.
import type { ActionResult, ContainerAction } from '../activities/docker.js';
import type { SshTarget } from '../activities/ssh.js';
import type { DockerAction, SshAction, StepSpec } from '../model/spec.js';
import type { StepResult } from '../model/record.js';
import { DEFAULT_STEP_TIMEOUT_MS, dockerActions, sshCommands } from './activities.js';
import type { DrillContext } from './context.js';
import { StepFailed } from './failures.js';

/**
 * A Docker action on its target, or on every container of its site at once. `allowStop`: a fault
 * whose command stops its own container (a crash) has not failed by exiting.
 */
export async function dockerAction(drill: DrillContext, step: StepSpec, action: DockerAction, allowStop: boolean): Promise<ActionResult> {
  const { spec } = drill;
  if (action.target !== undefined) return dockerOn(drill, step, { ...action, target: action.target }, `${spec.drillId}.${step.id}`, allowStop);
  // A whole site at once: its first effect is when the site began to go, each container's is in the note.
  const members = Object.entries(spec.topology.containers).filter(([, c]) => c.site === action.site).map(([n]) => n);
  const results = await Promise.all(members.map((target) => dockerOn(drill, step, { ...action, target }, `${spec.drillId}.${step.id}.${target}`, allowStop)));
  // A member that was already down (stopped earlier, or never started) says nothing of when this action took effect.
  const acted = results.filter((r) => !r.unchanged);
  const effectAt = Math.min(...(acted.length > 0 ? acted : results).map((r) => r.effectAt));
  const outputs = results.flatMap((r, k) => (r.output ? [`${members[k]}: ${r.output.trim()}`] : []));
  return {
    effectAt,
    note: `site ${action.site}: ${results.map((r, k) => `${members[k]} +${r.effectAt - effectAt}ms${r.note ? ` (${r.note})` : ''}`).join(', ')}`,
    ...(outputs.length > 0 && { output: outputs.join('\n') }),
  };
}

async function dockerOn(drill: DrillContext, step: StepSpec, action: ContainerAction, key: string, allowStop: boolean): Promise<ActionResult> {
  const res = await dockerActions(step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS).dockerAction({ drillId: drill.spec.drillId, key, action });
  const exitOk = res.exitCode === undefined || res.exitCode === 0 || (allowStop && res.targetStopped === true);
  if (!exitOk) throw new StepFailed(`${action.action} on ${action.target} exited ${res.exitCode}: ${res.output?.trim().slice(-300) ?? ''}`);
  return res;
}

/** Where an SSH host is: a listed host as declared, a bastion of the topology through its published port. */
function sshTarget(drill: DrillContext, name: string): SshTarget {
  const external = drill.spec.hosts?.[name];
  if (external) return { name, address: external.address, port: external.port, user: external.user, hostKey: external.hostKey, identityFile: external.identityFile };
  const c = drill.spec.topology.containers[name]!;
  const port = drill.endpoints[name]?.[c.ssh!.port];
  if (port === undefined || drill.hostKeys[name] === undefined) throw new StepFailed(`${name} is not reachable over SSH (port ${c.ssh!.port} not published or no host key pinned)`);
  return { name, port, user: c.ssh!.user, hostKey: drill.hostKeys[name] };
}

/** Runs an SSH command; its output and exit code go into the step's result, a non-zero exit fails the step. */
export async function sshAction(drill: DrillContext, step: StepSpec, action: SshAction, r: StepResult): Promise<void> {
  const timeoutMs = step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const res = await sshCommands(timeoutMs).sshCommand({ drillId: drill.spec.drillId, key: `${drill.spec.drillId}.${step.id}`, host: sshTarget(drill, action.host), command: action.command, timeoutMs });
  Object.assign(r, { exitCode: res.exitCode, ...(res.stdout && { output: res.stdout }), ...(res.stderr && { stderr: res.stderr }) });
  drill.event('ssh.exited', `${action.host}: \`${action.command}\` exited ${res.exitCode}${res.stderr ? `: ${res.stderr.trim().split('\n').slice(-1)[0]}` : ''}`, step.id, res.endedAt);
  if (res.exitCode !== 0) throw new StepFailed(`\`${action.command}\` on ${action.host} exited ${res.exitCode}${res.stderr ? `: ${res.stderr.trim().slice(-300)}` : ''}`);
}
