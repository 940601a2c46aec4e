// Docker effects: the drill's topology (built and torn down in provision.ts) and the actions of its
// steps on its containers. Every action is safe to retry after a worker crash: state changes are
// checked before they are made, and exec runs at most once per drill step through a marker kept inside
// the target container.
import Docker from 'dockerode';
import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import type { DockerAction } from '../model/spec.js';
import { resourceName } from './names.js';
import { drillTarget, isNotModified } from './containers.js';
import { topologyActivities } from './provision.js';
import { execCapture, execOnce, type ExecResult } from './container-exec.js';

/** A Docker action on one container: a step's action with its site, if any, resolved by the workflow. */
export type ContainerAction = DockerAction & { target: string };

export type { Endpoints } from './provision.js';
export { freeLoopbackPort } from './provision.js';
export type ActionResult = ExecResult & {
  /** the target already was as the action asks: this call changed nothing, so its instant is no effect */
  unchanged?: boolean;
};

export function dockerClient(): Docker {
  return new Docker();
}

export function dockerActivities(docker: Docker = dockerClient()) {
  return {
    ...topologyActivities(docker),

    /**
     * The host keys of the drill's SSH hosts, read from inside each container as the topology comes up:
     * the keys SSH steps then pin, so a host that presents another key is refused.
     */
    async pinHostKeys(input: { drillId: string; hosts: string[] }): Promise<Record<string, string>> {
      const keys: Record<string, string> = {};
      for (const name of input.hosts) {
        const { container } = await drillTarget(docker, input.drillId, name);
        for (let i = 0; ; i++) {
          const r = await execCapture(docker, container, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']);
          if (r.exitCode === 0 && /^ssh-ed25519 \S+/.test(r.output)) {
            keys[name] = r.output.trim().split(/\s+/).slice(0, 2).join(' ');
            break;
          }
          if (i >= 150) throw ApplicationFailure.nonRetryable(`${name} has no SSH host key at /etc/ssh/ssh_host_ed25519_key.pub after 30s`, ErrorType.NoHostKey);
          heartbeat(name);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      return keys;
    },

    /** One step's Docker action. `key` (drill id + step id) makes exec run at most once. */
    async dockerAction(input: { drillId: string; key: string; action: ContainerAction }): Promise<ActionResult> {
      // Engine calls such as stop can take longer than the heartbeat timeout; keep proving we are alive.
      const beat = setInterval(() => heartbeat(), 1000);
      try {
        return await act(input);
      } finally {
        clearInterval(beat);
      }
    },
  };

  async function act(input: { drillId: string; key: string; action: ContainerAction }): Promise<ActionResult> {
    const { drillId, key, action } = input;
    const { container, info } = await drillTarget(docker, drillId, action.target);
    const now = Date.now;
    switch (action.action) {
      case 'exec':
        return execOnce(docker, container, info.State, key, action.command ?? []);
      case 'stop':
        if (!info.State.Running) return { effectAt: lastStop(info.State.FinishedAt), note: 'already stopped', unchanged: true };
        await container.stop({ t: 10 }).catch((e) => { if (!isNotModified(e)) throw e; });
        return { effectAt: await exitedAt(container) };
      case 'kill': {
        if (!info.State.Running) return { effectAt: lastStop(info.State.FinishedAt), note: 'already not running', unchanged: true };
        await container.kill({ signal: action.signal ?? 'SIGKILL' });
        return { effectAt: await exitedAt(container) };
      }
      case 'start':
        if (info.State.Running) return { effectAt: Date.parse(info.State.StartedAt), note: 'already running', unchanged: true };
        await container.start().catch((e) => { if (!isNotModified(e)) throw e; });
        return { effectAt: now() };
      case 'pause':
        if (info.State.Paused) return { effectAt: now(), note: 'already paused', unchanged: true };
        await container.pause();
        return { effectAt: now() };
      case 'unpause':
        if (!info.State.Paused) return { effectAt: now(), note: 'not paused', unchanged: true };
        await container.unpause();
        return { effectAt: now() };
      case 'disconnect':
      case 'connect': {
        const netName = resourceName(drillId, action.network!);
        const attached = netName in (info.NetworkSettings.Networks ?? {});
        const net = docker.getNetwork(netName);
        if (action.action === 'disconnect') {
          if (!attached) return { effectAt: now(), note: 'already disconnected', unchanged: true };
          await net.disconnect({ Container: info.Id, Force: true });
        } else {
          if (attached) return { effectAt: now(), note: 'already connected', unchanged: true };
          await net.connect({ Container: info.Id, EndpointConfig: { Aliases: [action.target] } });
        }
        return { effectAt: now() };
      }
    }
  }

  /** When a container that is not running stopped; one never started has no such instant (year 1): now. */
  function lastStop(finishedAt: string): number {
    const t = Date.parse(finishedAt);
    return t > 0 ? t : Date.now();
  }

  /**
   * When the container's process ended, by the engine's own clock: the call returning is later than
   * the effect, and probes see the outage from the earlier instant. A signal the process survives
   * (e.g. SIGHUP) leaves it running: then the effect is the signal's delivery, now.
   */
  async function exitedAt(container: Docker.Container): Promise<number> {
    for (let i = 0; i < 50; i++) {
      const { State } = await container.inspect();
      if (!State.Running) return Date.parse(State.FinishedAt);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Date.now();
  }
}

export type DockerActivities = ReturnType<typeof dockerActivities>;
