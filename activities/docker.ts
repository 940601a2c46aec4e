// Docker effects: build the drill's topology, act on its containers, and tear it all down.
// Every action is safe to retry after a worker crash: state changes are checked before they are made,
// and exec runs at most once per drill step through a marker kept inside the target container.
import Docker from 'dockerode';
import { createServer } from 'node:net';
import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import type { ContainerSpec, DockerAction } from '../model/spec.js';
import { NAME_LABEL, RUN_LABEL, SITE_LABEL, resourceName } from './names.js';
import { drillTarget, isNotFound, isNotModified } from './containers.js';
import { drillKey } from './keys.js';
import { execCapture, execOnce, type ExecResult } from './container-exec.js';

/** A Docker action on one container: a step's action with its site, if any, resolved by the workflow. */
export type ContainerAction = DockerAction & { target: string };

export type Endpoints = Record<string, Record<number, number>>;
export type ActionResult = ExecResult & {
  /** the target already was as the action asks: this call changed nothing, so its instant is no effect */
  unchanged?: boolean;
};

export function dockerClient(): Docker {
  return new Docker();
}


export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function dockerActivities(docker: Docker = dockerClient()) {
  const labels = (drillId: string, name: string, site?: string) => ({ [RUN_LABEL]: drillId, [NAME_LABEL]: name, ...(site !== undefined && { [SITE_LABEL]: site }) });

  async function createContainer(drillId: string, name: string, spec: ContainerSpec) {
    const [first, ...rest] = spec.networks;
    const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.ports) portBindings[`${p}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: String(await freeLoopbackPort()) }];
    const container = await docker.createContainer({
      name: resourceName(drillId, name),
      Image: spec.image,
      ...(spec.command && { Cmd: spec.command }),
      // An SSH host of the drill trusts the drill's own key, and nothing else the drill knows of.
      Env: Object.entries({ ...spec.env, ...(spec.ssh && { AUTHORIZED_KEYS: drillKey(drillId).publicKey }) }).map(([k, v]) => `${k}=${v}`),
      // The plan's own labels first: the drill's cannot be overridden by them.
      Labels: { ...spec.labels, ...labels(drillId, name, spec.site) },
      Hostname: name,
      ExposedPorts: Object.fromEntries(spec.ports.map((p) => [`${p}/tcp`, {}])),
      HostConfig: {
        Binds: Object.entries(spec.volumes).map(([v, path]) => `${resourceName(drillId, v)}:${path}`),
        ...(spec.tmpfs && Object.keys(spec.tmpfs).length > 0 && { Tmpfs: Object.fromEntries(Object.entries(spec.tmpfs).map(([path, size]) => [path, `size=${size}`])) }),
        PortBindings: portBindings,
        // Without a drill network a container is isolated, unless it publishes ports: those need the default bridge.
        ...(first === undefined && { NetworkMode: spec.ports.length > 0 ? 'bridge' : 'none' }),
      },
      ...(first !== undefined && {
        NetworkingConfig: { EndpointsConfig: { [resourceName(drillId, first)]: { Aliases: [name] } } },
      }),
    });
    for (const n of rest) await docker.getNetwork(resourceName(drillId, n)).connect({ Container: container.id, EndpointConfig: { Aliases: [name] } });
    return container;
  }

  return {
    /** Creates the topology (idempotent: what exists already is kept) and returns the published ports. */
    async provision(input: { drillId: string; topology: { networks: string[]; volumes: string[]; containers: Record<string, ContainerSpec> } }): Promise<Endpoints> {
      const { drillId, topology } = input;
      for (const image of new Set(Object.values(topology.containers).map((c) => c.image))) {
        try {
          await docker.getImage(image).inspect();
        } catch (err) {
          if (isNotFound(err)) throw ApplicationFailure.nonRetryable(`image ${image} is not built; run \`npx drill setup\``, ErrorType.ImageMissing);
          throw err;
        }
      }
      for (const n of topology.networks) {
        const name = resourceName(drillId, n);
        const existing = await docker.listNetworks({ filters: { name: [name] } });
        if (!existing.some((e) => e.Name === name)) await docker.createNetwork({ Name: name, Labels: labels(drillId, n), CheckDuplicate: true });
      }
      for (const v of topology.volumes) await docker.createVolume({ Name: resourceName(drillId, v), Labels: labels(drillId, v) });
      const endpoints: Endpoints = {};
      for (const [name, spec] of Object.entries(topology.containers)) {
        let container = docker.getContainer(resourceName(drillId, name));
        let info;
        try {
          info = await container.inspect();
        } catch (err) {
          if (!isNotFound(err)) throw err;
          container = await createContainer(drillId, name, spec);
          info = await container.inspect();
        }
        if (info.Config.Labels?.[RUN_LABEL] !== drillId) {
          throw ApplicationFailure.nonRetryable(`a container named ${info.Name.replace(/^\//, '')} exists but is not labelled ${RUN_LABEL}=${drillId}; refusing to use or touch it`, ErrorType.Unlabelled);
        }
        if (spec.start && !info.State.Running) await container.start().catch((e) => { if (!isNotModified(e)) throw e; });
        endpoints[name] = {};
        for (const p of spec.ports) {
          const bound = info.HostConfig.PortBindings?.[`${p}/tcp`]?.[0]?.HostPort;
          if (bound) endpoints[name][p] = Number(bound);
        }
        heartbeat(name);
      }
      return endpoints;
    },

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

    /** Removes every container, network and volume labelled with the drill. Safe to run again. */
    async teardown(input: { drillId: string }): Promise<{ containers: number; networks: number; volumes: number }> {
      const filters = { label: [`${RUN_LABEL}=${input.drillId}`] };
      const containers = await docker.listContainers({ all: true, filters });
      for (const c of containers) {
        await docker.getContainer(c.Id).remove({ force: true, v: true }).catch((e) => { if (!isNotFound(e)) throw e; });
        heartbeat(c.Id);
      }
      const networks = await docker.listNetworks({ filters });
      for (const n of networks) await docker.getNetwork(n.Id).remove().catch((e) => { if (!isNotFound(e)) throw e; });
      const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
      for (const v of volumes) await docker.getVolume(v.Name).remove({ force: true }).catch((e) => { if (!isNotFound(e)) throw e; });
      return { containers: containers.length, networks: networks.length, volumes: volumes.length };
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
