// The drill's topology, built and removed so that either can be cut off at any point (a worker
// SIGKILLed, a drill aborted) and run again: every part is checked on the engine before it is made,
// a container found is completed (all its networks, started), and nothing under the drill's name is
// used or touched unless it carries the drill's label.
import type Docker from 'dockerode';
import { createServer } from 'node:net';
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../model/errors.js';
import type { ContainerSpec } from '../model/spec.js';
import { isConflict, isNotFound, isNotModified } from './containers.js';
import { drillKey } from './keys.js';
import { NAME_LABEL, RUN_LABEL, SITE_LABEL, resourceName } from './names.js';

export type Topology = { networks: string[]; volumes: string[]; containers: Record<string, ContainerSpec> };
export type Endpoints = Record<string, Record<number, number>>;
export type Cleanup = { containers: number; networks: number; volumes: number };

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

/**
 * Runs `work` beating every second, so a slow engine call never reads as a dead worker. `checkpoint`,
 * called between engine calls, records progress and stops at once if the attempt was cancelled (the
 * drill aborted): nothing is created after the workflow asked provisioning to stop.
 */
async function beating<T, D>(initial: D, work: (checkpoint: (details: D) => void) => Promise<T>): Promise<T> {
  const signal = cancellationSignal();
  let details = initial;
  const beat = setInterval(() => heartbeat(details), 1000);
  try {
    return await work((d) => {
      if (signal.aborted) throw signal.reason;
      details = d;
      heartbeat(d);
    });
  } finally {
    clearInterval(beat);
  }
}

export function topologyActivities(docker: Docker) {
  const labels = (drillId: string, name: string, site?: string) => ({ [RUN_LABEL]: drillId, [NAME_LABEL]: name, ...(site !== undefined && { [SITE_LABEL]: site }) });

  /** What the engine holds under the drill's name for a resource: null if nothing, refused if not the drill's. */
  function owned<T extends { Labels?: Record<string, string> | null }>(kind: string, name: string, drillId: string, found: T | null): T | null {
    if (found && found.Labels?.[RUN_LABEL] !== drillId) {
      throw ApplicationFailure.nonRetryable(`${kind} ${name} exists but is not labelled ${RUN_LABEL}=${drillId}; refusing to use or touch it`, ErrorType.Unlabelled);
    }
    return found;
  }
  const orNull = <T>(p: Promise<T>): Promise<T | null> => p.catch((e) => { if (isNotFound(e)) return null; throw e; });
  const inspectNetwork = async (name: string) => (await docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name) ?? null;
  const inspectVolume = (name: string) => orNull(docker.getVolume(name).inspect());
  const inspectContainer = async (name: string) => {
    const info = await orNull(docker.getContainer(name).inspect());
    return info && { ...info, Labels: info.Config.Labels };
  };

  /** Every name the topology will use, checked before anything is made: a stranger's resource stops the drill untouched. */
  async function refuseForeign(drillId: string, topology: Topology): Promise<void> {
    for (const n of topology.networks) owned('network', resourceName(drillId, n), drillId, await inspectNetwork(resourceName(drillId, n)));
    for (const v of topology.volumes) owned('volume', resourceName(drillId, v), drillId, await inspectVolume(resourceName(drillId, v)));
    for (const c of Object.keys(topology.containers)) owned('container', resourceName(drillId, c), drillId, await inspectContainer(resourceName(drillId, c)));
  }

  async function ensureNetwork(drillId: string, n: string): Promise<void> {
    const name = resourceName(drillId, n);
    if (owned('network', name, drillId, await inspectNetwork(name))) return;
    await docker.createNetwork({ Name: name, Labels: labels(drillId, n), CheckDuplicate: true }).catch(async (e) => {
      // Another attempt made it meanwhile: it must still be the drill's.
      if (!isConflict(e) || !owned('network', name, drillId, await inspectNetwork(name))) throw e;
    });
  }

  async function ensureVolume(drillId: string, v: string): Promise<void> {
    const name = resourceName(drillId, v);
    // Creating a volume that exists returns it silently, whoever made it: look first.
    if (owned('volume', name, drillId, await inspectVolume(name))) return;
    await docker.createVolume({ Name: name, Labels: labels(drillId, v) });
    if (!owned('volume', name, drillId, await inspectVolume(name))) throw new Error(`volume ${name} was created but is not there`);
  }

  async function createContainer(drillId: string, name: string, spec: ContainerSpec): Promise<void> {
    const [first] = spec.networks;
    const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.ports) portBindings[`${p}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: String(await freeLoopbackPort()) }];
    await docker.createContainer({
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
    }).catch(async (e) => {
      if (!isConflict(e) || !owned('container', resourceName(drillId, name), drillId, await inspectContainer(resourceName(drillId, name)))) throw e;
    });
  }

  /**
   * One container as its spec says, from whatever state an earlier attempt left: created, on every
   * network of its spec under its own name (a kill between the create and a connect left it on its
   * first only), started. Returns its published ports, read back from the engine.
   */
  async function ensureContainer(drillId: string, name: string, spec: ContainerSpec, checkpoint: (d: string) => void): Promise<Record<number, number>> {
    const full = resourceName(drillId, name);
    if (!owned('container', full, drillId, await inspectContainer(full))) {
      await createContainer(drillId, name, spec);
      checkpoint(`${name} created`);
    }
    const container = docker.getContainer(full);
    const onNetwork = async (net: string) => net in ((await container.inspect()).NetworkSettings.Networks ?? {});
    const before = await container.inspect();
    for (const n of spec.networks) {
      const net = resourceName(drillId, n);
      if (net in (before.NetworkSettings.Networks ?? {})) continue;
      await docker.getNetwork(net).connect({ Container: full, EndpointConfig: { Aliases: [name] } }).catch(async (e) => {
        // Joined meanwhile (the engine refuses a second endpoint): what was asked is so.
        if (!(await onNetwork(net))) throw e;
      });
      checkpoint(`${name} on ${n}`);
    }
    if (spec.start && !(await container.inspect()).State.Running) {
      await container.start().catch((e) => { if (!isNotModified(e)) throw e; });
      checkpoint(`${name} started`);
    }
    const info = await container.inspect();
    const ports: Record<number, number> = {};
    for (const p of spec.ports) {
      const bound = info.NetworkSettings.Ports?.[`${p}/tcp`]?.[0]?.HostPort ?? info.HostConfig.PortBindings?.[`${p}/tcp`]?.[0]?.HostPort;
      if (bound) ports[p] = Number(bound);
    }
    return ports;
  }

  return {
    /** Creates what is missing of the topology, completes what an earlier attempt left, and returns the published ports. */
    async provision(input: { drillId: string; topology: Topology }): Promise<Endpoints> {
      const { drillId, topology } = input;
      return beating('checking', async (checkpoint) => {
        for (const image of new Set(Object.values(topology.containers).map((c) => c.image))) {
          try {
            await docker.getImage(image).inspect();
          } catch (err) {
            if (isNotFound(err)) throw ApplicationFailure.nonRetryable(`image ${image} is not built; run \`npx drill setup\``, ErrorType.ImageMissing);
            throw err;
          }
        }
        await refuseForeign(drillId, topology);
        for (const n of topology.networks) {
          checkpoint(`network ${n}`);
          await ensureNetwork(drillId, n);
        }
        for (const v of topology.volumes) {
          checkpoint(`volume ${v}`);
          await ensureVolume(drillId, v);
        }
        const endpoints: Endpoints = {};
        for (const [name, spec] of Object.entries(topology.containers)) {
          checkpoint(`container ${name}`);
          endpoints[name] = await ensureContainer(drillId, name, spec, checkpoint);
        }
        return endpoints;
      });
    },

    /**
     * Removes every container, network and volume labelled with the drill, containers first (a network
     * with endpoints or a volume in use cannot go), pass after pass until none is left. The count is of
     * everything this and any earlier attempt found labelled (kept in the heartbeat), so a retry after a
     * worker died mid-teardown still reports what was removed.
     */
    async teardown(input: { drillId: string }): Promise<Cleanup> {
      const filters = { label: [`${RUN_LABEL}=${input.drillId}`] };
      const earlier = activityInfo().heartbeatDetails as Seen | undefined;
      const seen: Seen = { containers: [...(earlier?.containers ?? [])], networks: [...(earlier?.networks ?? [])], volumes: [...(earlier?.volumes ?? [])] };
      return beating(seen, async (checkpoint) => {
        for (let pass = 1; ; pass++) {
          const [containers, networks, volumes] = await Promise.all([
            docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters }).then((r) => r.Volumes ?? []),
          ]);
          if (containers.length + networks.length + volumes.length === 0) break;
          if (pass > TEARDOWN_PASSES) {
            throw new Error(`still labelled ${RUN_LABEL}=${input.drillId} after ${TEARDOWN_PASSES} passes: ${[...containers.map((c) => c.Names[0]), ...networks.map((n) => n.Name), ...volumes.map((v) => v.Name)].join(', ')}`);
          }
          add(seen.containers, containers.map((c) => c.Id));
          add(seen.networks, networks.map((n) => n.Id));
          add(seen.volumes, volumes.map((v) => v.Name));
          checkpoint(seen);
          const gone = (e: unknown) => { if (!isNotFound(e)) throw e; };
          for (const c of containers) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(gone);
          // Still in use means something joined after the listing: the next pass removes it first.
          const inUse = (e: unknown) => { if (!isInUse(e)) gone(e); };
          for (const n of networks) await docker.getNetwork(n.Id).remove().catch(inUse);
          for (const v of volumes) await docker.getVolume(v.Name).remove({ force: true }).catch(inUse);
        }
        return { containers: seen.containers.length, networks: seen.networks.length, volumes: seen.volumes.length };
      });
    },
  };
}

type Seen = { containers: string[]; networks: string[]; volumes: string[] };
const TEARDOWN_PASSES = 5;
const add = (to: string[], ids: string[]) => { for (const id of ids) if (!to.includes(id)) to.push(id); };
/** A network with endpoints (403) or a volume a container holds (409). */
const isInUse = (err: unknown) => [403, 409].includes((err as { statusCode?: number }).statusCode ?? 0);
